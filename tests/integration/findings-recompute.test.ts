import { beforeAll, describe, expect, it } from 'vitest'
import { db } from '@/lib/db'
import { systemContext } from '@/lib/auth/org-context'
import { applyDiscovery } from '@/lib/connectors/sync'
import type { DiscoveryPage } from '@/lib/connectors/types'
import { recomputeIdentities, recomputeOrg, recomputeRange } from '@/lib/findings/engine'
import { parseOrgSettings } from '@/lib/settings/schemas'
import { prismaSql } from '@/lib/sql/prisma'
import { num, sql, type SqlClient } from '@/lib/sql/sql'
import { addIdentity, createOrg, engine } from './fixtures'

// The recompute stamps a still-true finding with lastSeenAt alone and sets severity, rank, code and status only where
// they change (SQLite rewrites the index entries of every column an UPDATE sets). These cases check that every change
// the single upsert used to make still happens: severity up and down, a resolved finding reopening, an expired
// acceptance reopening, a live one kept, a new title, a damaged code or rank put right, counts and scores in step.

const DAY = 86_400_000
type Org = Awaited<ReturnType<typeof createOrg>>

async function findingOf(identityId: string, rule: string) {
  return db.finding.findUniqueOrThrow({ where: { identityId_rule: { identityId, rule } } })
}

/** FindingCount must equal the findings grouped, for every cell (the triggers keep it). */
async function expectCountsInStep(orgId: string) {
  const actual = await db.finding.groupBy({ by: ['status', 'owaspCode', 'severity', 'rule'], where: { orgId }, _count: { _all: true } })
  const kept = await db.findingCount.findMany({ where: { orgId, n: { not: 0 } } })
  const key = (r: { status: string; owaspCode: string; severity: string; rule: string }) => `${r.status}|${r.owaspCode}|${r.severity}|${r.rule}`
  expect(Object.fromEntries(kept.map((k) => [key(k), k.n]))).toEqual(Object.fromEntries(actual.map((a) => [key(a), a._count._all])))
}

describe(`findings recompute writes only what changed (${engine})`, () => {
  let a: Org
  let bot: { id: string }
  const settings = parseOrgSettings('{}')

  beforeAll(async () => {
    a = await createOrg('Recompute changes')
    // Unowned (medium outside production unless privileged) and dormant (medium unless privileged).
    bot = await addIdentity(a.org.id, a.source.id, { name: 'changing-bot', ownerId: null, environment: 'development', lastUsedDaysAgo: 400 })
  })

  it('raises findings, then follows severity up and down without re-stamping the rest', async () => {
    const t1 = Date.now() - 10_000
    await recomputeOrg(prismaSql(), a.org.id, settings, { now: t1 })
    const unowned = await findingOf(bot.id, 'unowned')
    expect(unowned).toMatchObject({ status: 'open', severity: 'medium', severityRank: 2, owaspCode: 'NHI1' })
    expect((await findingOf(bot.id, 'dormant')).severity).toBe('medium')
    expect(await db.identity.findUniqueOrThrow({ where: { id: bot.id } })).toMatchObject({ openFindings: 2, riskScore: 24 })
    await expectCountsInStep(a.org.id)

    await db.identity.update({ where: { id: bot.id }, data: { privileged: true } })
    const t2 = t1 + 1000
    await recomputeOrg(prismaSql(), a.org.id, settings, { now: t2 })
    expect(await findingOf(bot.id, 'unowned')).toMatchObject({ status: 'open', severity: 'high', severityRank: 1, firstSeenAt: new Date(t1) })
    expect((await findingOf(bot.id, 'dormant')).lastSeenAt).toEqual(new Date(t2))
    expect((await findingOf(bot.id, 'dormant')).severity).toBe('high')
    expect(await db.identity.findUniqueOrThrow({ where: { id: bot.id } })).toMatchObject({ openFindings: 2, riskScore: 50 })
    await expectCountsInStep(a.org.id)

    await db.identity.update({ where: { id: bot.id }, data: { privileged: false } })
    await recomputeIdentities(prismaSql(), a.org.id, [bot.id], settings, { now: t2 + 1000 })
    expect(await findingOf(bot.id, 'unowned')).toMatchObject({ severity: 'medium', severityRank: 2, lastSeenAt: new Date(t2 + 1000) })
    expect(await db.identity.findUniqueOrThrow({ where: { id: bot.id } })).toMatchObject({ openFindings: 2, riskScore: 24 })
    await expectCountsInStep(a.org.id)
  })

  it('reopens a resolved finding and an expired acceptance, keeps a live acceptance, and updates the title', async () => {
    const now = Date.now()
    await db.finding.update({
      where: { identityId_rule: { identityId: bot.id, rule: 'unowned' } },
      data: { status: 'resolved', resolvedAt: new Date(now - DAY) },
    })
    await db.finding.update({
      where: { identityId_rule: { identityId: bot.id, rule: 'dormant' } },
      data: { status: 'accepted', acceptedUntil: new Date(now - DAY) },
    })
    await recomputeOrg(prismaSql(), a.org.id, { ...settings, dormantDays: 120 }, { now })
    expect(await findingOf(bot.id, 'unowned')).toMatchObject({ status: 'open', resolvedAt: null, lastSeenAt: new Date(now) })
    const dormant = await findingOf(bot.id, 'dormant')
    expect(dormant).toMatchObject({ status: 'open', title: 'Active but unused for 120+ days' })
    await expectCountsInStep(a.org.id)

    await db.finding.update({ where: { id: dormant.id }, data: { status: 'accepted', acceptedUntil: new Date(now + 30 * DAY) } })
    await recomputeOrg(prismaSql(), a.org.id, settings, { now: now + 1000 })
    expect(await findingOf(bot.id, 'dormant')).toMatchObject({ status: 'accepted', lastSeenAt: new Date(now + 1000), title: 'Active but unused for 90+ days' })
    // An accepted risk does not count in the score.
    expect(await db.identity.findUniqueOrThrow({ where: { id: bot.id } })).toMatchObject({ openFindings: 1, riskScore: 12 })
    await expectCountsInStep(a.org.id)
  })

  it('puts a damaged code or rank right, and resolves what no longer holds', async () => {
    await db.finding.update({ where: { identityId_rule: { identityId: bot.id, rule: 'unowned' } }, data: { owaspCode: 'NHI9' } })
    await db.finding.update({ where: { identityId_rule: { identityId: bot.id, rule: 'dormant' } }, data: { severityRank: 0, status: 'open' } })
    const now = Date.now() + 5000
    await recomputeOrg(prismaSql(), a.org.id, settings, { now })
    expect(await findingOf(bot.id, 'unowned')).toMatchObject({ owaspCode: 'NHI1', severity: 'medium', severityRank: 2 })
    expect(await findingOf(bot.id, 'dormant')).toMatchObject({ severityRank: 2, status: 'open' })
    await expectCountsInStep(a.org.id)

    await db.identity.update({ where: { id: bot.id }, data: { ownerId: a.people.member.id, lastUsedAt: new Date() } })
    await recomputeOrg(prismaSql(), a.org.id, settings, { now: now + 1000 })
    expect(await findingOf(bot.id, 'unowned')).toMatchObject({ status: 'resolved', resolvedAt: new Date(now + 1000) })
    expect((await findingOf(bot.id, 'dormant')).status).toBe('resolved')
    expect(await db.identity.findUniqueOrThrow({ where: { id: bot.id } })).toMatchObject({ openFindings: 0, riskScore: 0 })
    await expectCountsInStep(a.org.id)
  })
})

// PostgreSQL writes a new version of every row an UPDATE touches; the nightly pass touches every open finding (its
// lastSeenAt). On a full page that version goes to another page with a new entry in each of Finding's six indexes; with
// room left on the page (migration finding_fillfactor) it stays there and no index changes (a heap-only update).
describe.runIf(engine === 'postgresql')('findings recompute updates still-true findings in place (postgresql)', () => {
  it('the second pass over a thousand findings is heap-only updates', async () => {
    const { org, source } = await createOrg('Recompute in place')
    const n = 1_000
    async function* page(): AsyncGenerator<DiscoveryPage> {
      yield {
        resources: [],
        entitlements: [],
        identities: Array.from({ length: n }, (_, i) => ({ externalId: `hot-${i}`, name: `hot-${i}`, kind: 'service_account' })),
        grants: [],
      }
    }
    await applyDiscovery(systemContext(org, { type: 'sync_source', id: null }), source.id, page(), { mode: 'full' })
    const settings = parseOrgSettings('{}')
    await recomputeOrg(prismaSql(), org.id, settings, { now: Date.now() - 1000 })
    const [range] = await prismaSql().query<{ lo: string; hi: string; findings: unknown }>(
      sql`SELECT MIN("identityId") AS "lo", MAX("identityId") AS "hi", COUNT(*) AS "findings" FROM "Finding" WHERE "orgId" = ${org.id} AND "status" = 'open'`,
    )
    // Unowned, at least: every identity holds a finding, some ~40 pages of them.
    expect(num(range.findings)).toBeGreaterThanOrEqual(n)
    // The backend's live counters (the statistics views are flushed later), before and after the pass: they also hold
    // what this connection did earlier and has not flushed yet, hence the difference.
    const counters = async (tx: SqlClient) => {
      const [c] = await tx.query<{ updated: unknown; hot: unknown }>(
        sql`SELECT pg_stat_get_xact_tuples_updated('"Finding"'::regclass) AS "updated", pg_stat_get_xact_tuples_hot_updated('"Finding"'::regclass) AS "hot"`,
      )
      return { updated: num(c.updated), hot: num(c.hot) }
    }
    const counted = await prismaSql().transaction(async (tx) => {
      const before = await counters(tx)
      await recomputeRange(tx, org.id, range.lo, range.hi, settings, Date.now())
      const after = await counters(tx)
      return { updated: after.updated - before.updated, hot: after.hot - before.hot }
    })
    expect(counted.updated).toBeGreaterThanOrEqual(num(range.findings))
    // Full pages would leave all but the last page's rows non-HOT (under 5 %).
    expect(counted.hot / counted.updated).toBeGreaterThan(0.9)
  })
})
