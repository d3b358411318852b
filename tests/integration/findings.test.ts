import { beforeAll, describe, expect, it } from 'vitest'
import { db } from '@/lib/db'
import { ConflictError, ForbiddenError, NotFoundError } from '@/lib/errors'
import { acceptFinding, requestFindingsRecompute, updatePostureSettings } from '@/lib/findings/mutations'
import { enqueueFindingsRecompute } from '@/lib/findings/jobs'
import { recomputeFindingsForOrg } from '@/lib/findings/recompute'
import { acceptFindingSchema, postureSettingsSchema } from '@/lib/findings/schemas'
import { drainJobs } from '@/lib/jobs/worker'
import { listIdentities } from '@/lib/inventory/queries'
import { identityListSchema } from '@/lib/inventory/schemas'
import { addIdentity, createOrg, engine, uid } from './fixtures'

const DAY = 86_400_000
const inDays = (n: number) => new Date(Date.now() + n * DAY).toISOString().slice(0, 10)

type Org = Awaited<ReturnType<typeof createOrg>>

async function credential(orgId: string, identityId: string, o: { fingerprint?: string; ageDays?: number; expires?: boolean } = {}) {
  return db.credential.create({
    data: {
      orgId,
      identityId,
      kind: 'token',
      fingerprint: o.fingerprint ?? uid('fp'),
      createdAt: new Date(Date.now() - (o.ageDays ?? 5) * DAY),
      expiresAt: o.expires === false ? null : new Date(Date.now() + 30 * DAY),
      lastUsedAt: new Date(),
    },
  })
}

async function openRules(identityId: string) {
  const rows = await db.finding.findMany({ where: { identityId, status: 'open' }, select: { rule: true }, orderBy: { rule: 'asc' } })
  return rows.map((r) => r.rule)
}

describe(`findings engine and recompute job (${engine})`, () => {
  let a: Org
  let b: Org
  let unowned: { id: string }
  let tidy: { id: string }
  let prodShared: { id: string }
  let devShared: { id: string }

  beforeAll(async () => {
    a = await createOrg('Findings A')
    b = await createOrg('Findings B')
    unowned = await addIdentity(a.org.id, a.source.id, { name: 'unowned-dormant', ownerId: null, lastUsedDaysAgo: 200 })
    tidy = await addIdentity(a.org.id, a.source.id, { name: 'tidy', ownerId: a.people.member.id, lastUsedDaysAgo: 1 })
    await credential(a.org.id, tidy.id)
    prodShared = await addIdentity(a.org.id, a.source.id, { name: 'prod-shared', ownerId: a.people.member.id, environment: 'production' })
    devShared = await addIdentity(a.org.id, a.source.id, { name: 'dev-shared', ownerId: a.people.member.id, environment: 'development' })
    await credential(a.org.id, prodShared.id, { fingerprint: 'same-secret' })
    await credential(a.org.id, devShared.id, { fingerprint: 'same-secret' })
    // Same fingerprint in another organization: must not count as reuse across tenants.
    const foreign = await addIdentity(b.org.id, b.source.id, { name: 'b-bot', ownerId: b.people.member.id })
    await credential(b.org.id, foreign.id, { fingerprint: 'same-secret' })
  })

  it('runs as a job with progress, raises findings, sets risk scores and takes a snapshot', async () => {
    const job = await db.$transaction((tx) => enqueueFindingsRecompute(tx, a.ctx('admin'), { reason: 'sync' }))
    expect(job.total).toBe(4)
    // A second request while one waits joins it.
    const again = await db.$transaction((tx) => enqueueFindingsRecompute(tx, a.ctx('admin')))
    expect(again.id).toBe(job.id)
    await drainJobs()
    const done = await db.job.findUniqueOrThrow({ where: { id: job.id } })
    expect(done.status).toBe('succeeded')
    expect(done.progress).toBe(4)

    expect(await openRules(unowned.id)).toEqual(['dormant', 'unowned'])
    expect(await openRules(tidy.id)).toEqual([])
    expect(await openRules(prodShared.id)).toEqual(['env-mix', 'shared-secret'])
    expect(await openRules(devShared.id)).toEqual(['env-mix', 'shared-secret'])
    const bFindings = await db.finding.count({ where: { orgId: b.org.id } })
    expect(bFindings).toBe(0)

    const u = await db.identity.findUniqueOrThrow({ where: { id: unowned.id } })
    expect(u.openFindings).toBe(2)
    expect(u.riskScore).toBe(25 + 12)
    const t = await db.identity.findUniqueOrThrow({ where: { id: tidy.id } })
    expect(t).toMatchObject({ openFindings: 0, riskScore: 0 })
    const f = await db.finding.findFirstOrThrow({ where: { identityId: prodShared.id, rule: 'env-mix' } })
    expect(f).toMatchObject({ owaspCode: 'NHI8', severity: 'critical', orgId: a.org.id })
    expect(await db.metricSnapshot.count({ where: { orgId: a.org.id } })).toBe(1)
  })

  it('filters the inventory by OWASP code and by rule', async () => {
    const list = async (finding: string) =>
      (await listIdentities(a.ctx('auditor'), identityListSchema.parse({ finding, sort: 'name', dir: 'asc' }))).rows.map((r) => r.name)
    expect(await list('NHI8')).toEqual(['dev-shared', 'prod-shared'])
    expect(await list('NHI1')).toEqual(['unowned-dormant'])
    expect(await list('dormant')).toEqual(['unowned-dormant'])
    expect(await list('NHI3')).toEqual([])
  })

  it('resolves findings whose cause is gone', async () => {
    await db.identity.update({ where: { id: unowned.id }, data: { ownerId: a.people.member.id } })
    await recomputeFindingsForOrg(a.ctx('admin'))
    expect(await openRules(unowned.id)).toEqual(['dormant'])
    expect((await db.finding.findFirstOrThrow({ where: { identityId: unowned.id, rule: 'unowned' } })).status).toBe('resolved')
    await db.identity.update({ where: { id: unowned.id }, data: { ownerId: null } })
    await recomputeFindingsForOrg(a.ctx('admin'))
    expect(await openRules(unowned.id)).toEqual(['dormant', 'unowned'])
  })

  it('accepts a risk with a reason and an expiry, audited; the score drops; expiry reopens it', async () => {
    const finding = await db.finding.findFirstOrThrow({ where: { identityId: unowned.id, rule: 'unowned' } })
    const input = acceptFindingSchema.parse({
      orgSlug: a.org.slug,
      findingId: finding.id,
      until: inDays(30),
      reason: 'Decommissioned next sprint, ticket OPS-12',
    })
    await acceptFinding(a.ctx('governance'), input)
    const accepted = await db.finding.findUniqueOrThrow({ where: { id: finding.id } })
    expect(accepted).toMatchObject({ status: 'accepted', acceptedById: a.people.governance.id, acceptedReason: 'Decommissioned next sprint, ticket OPS-12' })
    const audit = await db.auditEvent.findFirstOrThrow({ where: { orgId: a.org.id, action: 'finding.accept' } })
    expect(audit).toMatchObject({
      actorId: a.people.governance.id,
      targetId: unowned.id,
      outcome: 'success',
      justification: 'Decommissioned next sprint, ticket OPS-12',
    })
    expect((await db.identity.findUniqueOrThrow({ where: { id: unowned.id } })).openFindings).toBe(1)

    // A recompute keeps it accepted while the acceptance lasts...
    await recomputeFindingsForOrg(a.ctx('admin'))
    expect((await db.finding.findUniqueOrThrow({ where: { id: finding.id } })).status).toBe('accepted')
    // ...and reopens it once the acceptance has expired.
    await db.finding.update({ where: { id: finding.id }, data: { acceptedUntil: new Date(Date.now() - 1000) } })
    await recomputeFindingsForOrg(a.ctx('admin'))
    expect((await db.finding.findUniqueOrThrow({ where: { id: finding.id } })).status).toBe('open')
    expect((await db.identity.findUniqueOrThrow({ where: { id: unowned.id } })).openFindings).toBe(2)
  })

  it('refuses acceptance to members, across organizations, for resolved findings and with bad input', async () => {
    const finding = await db.finding.findFirstOrThrow({ where: { identityId: unowned.id, rule: 'dormant' } })
    const input = { orgSlug: a.org.slug, findingId: finding.id, until: inDays(30), reason: 'Because reasons, long enough' }
    await expect(acceptFinding(a.ctx('member'), input)).rejects.toBeInstanceOf(ForbiddenError)
    await expect(acceptFinding(a.ctx('auditor'), input)).rejects.toBeInstanceOf(ForbiddenError)
    await expect(acceptFinding(b.ctx('admin'), { ...input, orgSlug: b.org.slug })).rejects.toBeInstanceOf(NotFoundError)
    const resolved = await db.finding.findFirstOrThrow({ where: { orgId: a.org.id, status: 'resolved' } }).catch(() => null)
    if (resolved) await expect(acceptFinding(a.ctx('admin'), { ...input, findingId: resolved.id })).rejects.toBeInstanceOf(ConflictError)
    const past = acceptFindingSchema.safeParse({ ...input, until: inDays(-1) })
    expect(past.success).toBe(false)
    expect(past.error?.issues[0].message).toMatch(/future/)
    expect(acceptFindingSchema.safeParse({ ...input, until: inDays(400) }).error?.issues[0].message).toMatch(/365 days/)
    expect(acceptFindingSchema.safeParse({ ...input, reason: 'ok' }).error?.issues[0].message).toMatch(/at least 10/)
    expect((await db.finding.findUniqueOrThrow({ where: { id: finding.id } })).status).toBe('open')
  })

  it('queues a recompute from the UI for admin and governance only, audited', async () => {
    await drainJobs()
    await expect(requestFindingsRecompute(a.ctx('member'))).rejects.toBeInstanceOf(ForbiddenError)
    await expect(requestFindingsRecompute(a.ctx('auditor'))).rejects.toBeInstanceOf(ForbiddenError)
    const { jobId } = await requestFindingsRecompute(a.ctx('governance'))
    const job = await db.job.findUniqueOrThrow({ where: { id: jobId } })
    expect(job).toMatchObject({ orgId: a.org.id, type: 'recompute_findings', status: 'queued', createdById: a.people.governance.id })
    expect(await db.auditEvent.count({ where: { orgId: a.org.id, action: 'finding.recompute', targetId: jobId } })).toBe(1)
    await drainJobs()
  })

  it('saves thresholds (keeping other settings), audits, recomputes; refuses out-of-range values with a message', async () => {
    await db.organization.update({ where: { id: a.org.id }, data: { settings: JSON.stringify({ attestationIntervalDays: 30 }) } })
    const bad = postureSettingsSchema.safeParse({
      orgSlug: a.org.slug,
      dormantDays: '3',
      rotationMaxDays: '99999',
      privilegedUnusedDays: 'x',
      humanUseWindowDays: '30',
    })
    expect(bad.success).toBe(false)
    const messages = Object.fromEntries(bad.error!.issues.map((i) => [String(i.path[0]), i.message]))
    expect(messages.dormantDays).toMatch(/at least 7/)
    expect(messages.rotationMaxDays).toMatch(/at most 1825/)
    expect(messages.privilegedUnusedDays).toMatch(/number/)

    const input = postureSettingsSchema.parse({
      orgSlug: a.org.slug,
      dormantDays: '365',
      rotationMaxDays: '30',
      privilegedUnusedDays: '60',
      humanUseWindowDays: '30',
    })
    await expect(updatePostureSettings(a.ctx('governance'), input)).rejects.toBeInstanceOf(ForbiddenError)
    await updatePostureSettings(a.ctx('admin'), input)
    const stored = JSON.parse((await db.organization.findUniqueOrThrow({ where: { id: a.org.id } })).settings)
    expect(stored).toMatchObject({ dormantDays: 365, rotationMaxDays: 30, attestationIntervalDays: 30 })
    expect(await db.auditEvent.count({ where: { orgId: a.org.id, action: 'settings.update' } })).toBe(1)
    expect(await db.job.count({ where: { orgId: a.org.id, type: 'recompute_findings', status: 'queued' } })).toBe(1)
    await drainJobs()
    // 200 days unused is no longer dormant under a 365-day threshold.
    expect(await openRules(unowned.id)).toEqual(['unowned'])
  })
})
