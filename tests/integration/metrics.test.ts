import { beforeAll, describe, expect, it } from 'vitest'
import { getDashboard, LIVE_LIMIT } from '@/lib/dashboard/queries'
import { db } from '@/lib/db'
import { prismaSql } from '@/lib/sql/prisma'
import { recomputeFindingsForOrg } from '@/lib/findings/recompute'
import { findingsDailyScheduler } from '@/lib/findings/jobs'
import { runSchedulers, drainJobs } from '@/lib/jobs/worker'
import { listIdentities } from '@/lib/inventory/queries'
import { identityListSchema, type IdentityFilter } from '@/lib/inventory/schemas'
import { backfillHistory, computeOrgMetrics, utcDay, type OrgMetrics } from '@/lib/metrics/compute'
import { parseOrgSettings } from '@/lib/settings/schemas'
import { addIdentity, createOrg, engine, uid } from './fixtures'

const DAY = 86_400_000
type Org = Awaited<ReturnType<typeof createOrg>>

describe(`metrics and dashboard (${engine})`, () => {
  let a: Org
  let b: Org

  beforeAll(async () => {
    a = await createOrg('Metrics A')
    b = await createOrg('Metrics B')
    const owner = a.people.member.id
    const i1 = await addIdentity(a.org.id, a.source.id, { name: 'unowned-1', ownerId: null, lastUsedDaysAgo: 1 })
    await addIdentity(a.org.id, a.source.id, { name: 'unowned-dormant', ownerId: null, lastUsedDaysAgo: 300 })
    const w = await addIdentity(a.org.id, a.source.id, { name: 'priv-workload', kind: 'workload', ownerId: owner, privileged: true, environment: 'staging' })
    const bot = await addIdentity(a.org.id, a.source.id, { name: 'bot', kind: 'bot', ownerId: owner, privileged: true })
    await addIdentity(a.org.id, a.source.id, { name: 'gone', status: 'deleted', ownerId: null })
    const now = Date.now()
    // Two active credentials: one rotated recently (compliant), one old and unused.
    await db.credential.create({
      data: {
        orgId: a.org.id,
        identityId: i1.id,
        kind: 'token',
        fingerprint: uid('fp'),
        createdAt: new Date(now - 10 * DAY),
        expiresAt: new Date(now + DAY),
        lastUsedAt: new Date(now),
      },
    })
    await db.credential.create({
      data: {
        orgId: a.org.id,
        identityId: w.id,
        kind: 'token',
        fingerprint: uid('fp'),
        createdAt: new Date(now - 400 * DAY),
        expiresAt: new Date(now + DAY),
        lastUsedAt: null,
      },
    })
    // Federated credentials (trust rules, no secret): the bot only on one, i1 beside its static token.
    for (const identityId of [bot.id, i1.id])
      await db.credential.create({
        data: {
          orgId: a.org.id,
          identityId,
          kind: 'federated',
          fingerprint: uid('federated:'),
          createdAt: new Date(now - 400 * DAY),
          lastUsedAt: new Date(now),
        },
      })
    // Wildcard grant: overprivileged (NHI5).
    const res = await db.resource.create({ data: { orgId: a.org.id, sourceId: a.source.id, externalId: 'acct', name: 'acct', type: 'account' } })
    const ent = await db.entitlement.create({
      data: { orgId: a.org.id, sourceId: a.source.id, resourceId: res.id, externalId: 'star', name: 's3:*', privileged: true },
    })
    await db.grant.create({
      data: { orgId: a.org.id, identityId: w.id, entitlementId: ent.id, privileged: true, createdAt: new Date(now - 5 * DAY), lastUsedAt: new Date(now) },
    })
    for (const [daysAgo, kind] of [
      [2, 'auth_failure'],
      [3, 'auth_failure'],
      [40, 'auth_failure'],
      [1, 'auth_success'],
    ] as const) {
      await db.activityEvent.create({ data: { orgId: a.org.id, identityId: i1.id, at: new Date(now - daysAgo * DAY), kind } })
    }
    await addIdentity(b.org.id, b.source.id, { name: 'other-tenant', ownerId: null })
    await recomputeFindingsForOrg(a.ctx('admin'))
  })

  it('counts what each card shows, and the card’s inventory link gives the same identities', async () => {
    const m = await computeOrgMetrics(prismaSql(), a.org.id, parseOrgSettings('{}'))
    expect(m).toMatchObject({
      total: 4,
      unowned: 2,
      privileged: 2,
      dormant: 1,
      privilegedWorkloads: 1,
      overprivileged: 1,
      credentialsActive: 2,
      credentialsCompliant: 1,
      rotationCompliance: 50,
      unusedCredentials: 1,
      unusedCredentialIdentities: 1,
      failedAuth30d: 2,
      failedAuthIdentities: 1,
      // Runtime posture: the federated credentials are not secrets (not in rotation), and split the credentialed identities.
      shortLivedOnly: 1,
      shortLivedAndStatic: 1,
      staticOnly: 1,
      shortLivedShare: 33.3,
    })
    expect(m.byKind).toEqual({ service_account: 2, workload: 1, bot: 1 })
    expect(m.byEnvironment).toEqual({ production: 3, staging: 1 })
    expect(m.bySource).toEqual({ [a.source.id]: 4 })
    expect(m.findingsByCode.NHI5).toBe(1)
    const count = async (f: Record<string, string>) => (await listIdentities(a.ctx('auditor'), identityListSchema.parse(f))).total
    const links: [keyof OrgMetrics, Partial<Record<keyof IdentityFilter, string>>][] = [
      ['total', {}],
      ['unowned', { owner: 'unowned' }],
      ['dormant', { dormant: 'yes' }],
      ['overprivileged', { finding: 'NHI5' }],
      ['privilegedWorkloads', { kind: 'service_account,workload,ci_cd', privileged: 'yes' }],
      ['unusedCredentialIdentities', { finding: 'unused-cred' }],
      ['failedAuthIdentities', { finding: 'auth-failures' }],
    ]
    for (const [metric, filter] of links) expect([metric, await count(filter as Record<string, string>)]).toEqual([metric, m[metric]])
    for (const [code, n] of Object.entries(m.findingsByCode)) expect([code, await count({ finding: code })]).toEqual([code, n])
  })

  it('shows live counts for a small organization, scoped to it', async () => {
    const d = await getDashboard(a.ctx('member'), 90)
    expect(d.live).toBe(true)
    expect(d.metrics.total).toBe(4)
    expect(d.campaigns).toEqual([])
    expect(d.remediation).toBeNull()
    expect(d.sourceNames[a.source.id]).toBe('AWS test')
    // Another organization's dashboard never includes these identities.
    expect((await getDashboard(b.ctx('admin'), 90)).metrics.total).toBe(1)
  })

  it('reads the latest real snapshot for a large organization, and ignores backfilled history for the cards', async () => {
    const big = { ...(await computeOrgMetrics(prismaSql(), b.org.id, parseOrgSettings('{}'))), total: LIVE_LIMIT + 1, unowned: 12345 }
    const today = utcDay(Date.now())
    await db.metricSnapshot.create({ data: { orgId: b.org.id, day: today, metrics: JSON.stringify(big) } })
    const d = await getDashboard(b.ctx('auditor'), 30)
    expect(d.live).toBe(false)
    expect(d.metrics.unowned).toBe(12345)
    await db.metricSnapshot.update({ where: { orgId_day: { orgId: b.org.id, day: today } }, data: { metrics: JSON.stringify({ ...big, backfilled: true }) } })
    const live = await getDashboard(b.ctx('auditor'), 30)
    expect(live.live).toBe(true)
    expect(live.metrics.total).toBe(1)
  })

  it('backfills a year of history without touching real days; trends follow the range', async () => {
    const now = Date.now()
    const current = await computeOrgMetrics(prismaSql(), a.org.id, parseOrgSettings('{}'), now)
    await db.metricSnapshot.upsert({
      where: { orgId_day: { orgId: a.org.id, day: utcDay(now) } },
      create: { orgId: a.org.id, day: utcDay(now), metrics: JSON.stringify(current) },
      update: { metrics: JSON.stringify(current) },
    })
    await backfillHistory(prismaSql(), a.org.id, current, now)
    await backfillHistory(prismaSql(), a.org.id, current, now)
    expect(await db.metricSnapshot.count({ where: { orgId: a.org.id } })).toBe(366)
    const todayRow = await db.metricSnapshot.findUniqueOrThrow({ where: { orgId_day: { orgId: a.org.id, day: utcDay(now) } } })
    expect(JSON.parse(todayRow.metrics).backfilled).toBeUndefined()
    const d30 = await getDashboard(a.ctx('admin'), 30)
    const d365 = await getDashboard(a.ctx('admin'), 365)
    expect(d30.trend.length).toBe(31)
    expect(d365.trend.length).toBe(366)
    expect(d365.trend[0].total).toBeLessThanOrEqual(d365.trend.at(-1)!.total)
  })

  it('takes one metrics snapshot per organization per day from the scheduler', async () => {
    await drainJobs()
    await runSchedulers(new Date(), [findingsDailyScheduler])
    await runSchedulers(new Date(), [findingsDailyScheduler])
    const key = `metrics_snapshot:${b.org.id}:${utcDay(Date.now())}`
    expect(await db.job.count({ where: { idempotencyKey: key } })).toBe(1)
    await drainJobs()
    expect((await db.job.findUniqueOrThrow({ where: { idempotencyKey: key } })).status).toBe('succeeded')
    const snap = await db.metricSnapshot.findUniqueOrThrow({ where: { orgId_day: { orgId: b.org.id, day: utcDay(Date.now()) } } })
    expect(JSON.parse(snap.metrics)).toMatchObject({ total: 1, unowned: 1 })
  })

  it('measures remediation time from the decision to the applied job', async () => {
    const identity = await db.identity.findFirstOrThrow({ where: { orgId: a.org.id, name: 'bot' } })
    const campaign = await db.campaign.create({
      data: { orgId: a.org.id, name: 'Q3 review', type: 'identity', status: 'active', itemCount: 10, decidedCount: 4 },
    })
    const decidedAt = new Date(Date.now() - 5 * 3_600_000)
    const item = await db.reviewItem.create({
      data: { orgId: a.org.id, campaignId: campaign.id, identityId: identity.id, snapshot: '{}', status: 'decided', decision: 'revoke', decidedAt },
    })
    const job = await db.job.create({
      data: {
        orgId: a.org.id,
        type: 'disable_identity',
        status: 'succeeded',
        idempotencyKey: uid('k'),
        finishedAt: new Date(decidedAt.getTime() + 2 * 3_600_000),
      },
    })
    await db.remediation.create({
      data: {
        orgId: a.org.id,
        identityId: identity.id,
        kind: 'disable_identity',
        status: 'applied',
        justification: 'revoked in review',
        reviewItemId: item.id,
        jobId: job.id,
      },
    })
    const d = await getDashboard(a.ctx('admin'), 30)
    expect(d.remediation).toMatchObject({ count: 1 })
    expect(d.remediation!.medianHours).toBeCloseTo(2, 5)
    expect(d.campaigns).toEqual([expect.objectContaining({ name: 'Q3 review', itemCount: 10, decidedCount: 4 })])
  })
})
