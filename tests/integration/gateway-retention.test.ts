import { randomUUID } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { db } from '@/lib/db'
import { gatewayCallRetentionDays, gatewayRetentionScheduler, pruneBatchSql } from '@/lib/gateway/retention'
import { recomputeFindingsForOrg } from '@/lib/findings/recompute'
import { GATEWAY_UNUSED_RULE } from '@/lib/findings/rules'
import { drainJobs } from '@/lib/jobs/worker'
import { MAX_DORMANT_DAYS } from '@/lib/settings/schemas'
import { prismaSql } from '@/lib/sql/prisma'
import { sql } from '@/lib/sql/sql'
import { engine } from './fixtures'
import { addRoute, gatewayOrg, DAY } from './gateway-setup'

// Retention of GatewayCall and TokenExchange (lib/gateway/retention.ts): old rows go, in index-backed batches, with an
// audit row per run; the calls the "gateway access unused" finding reads (its dormantDays window) always stay.

const daysAgo = (d: number) => new Date(Date.now() - d * DAY)

async function seedCalls(orgId: string, identityId: string, routeId: string, ages: number[]) {
  for (const age of ages)
    await db.gatewayCall.create({
      data: { orgId, identityId, routeId, at: daysAgo(age), method: 'GET', path: `/age/${age}`, status: 200, latencyMs: 1, decision: 'allow' },
    })
}
async function seedExchanges(orgId: string | null, ages: number[]) {
  for (const age of ages)
    await db.tokenExchange.create({
      data: { orgId, issuer: 'https://issuer.example', replayKey: randomUUID(), outcome: 'refused', reason: 'no-rule', at: daysAgo(age) },
    })
}
const callAges = async (orgId: string) =>
  (await db.gatewayCall.findMany({ where: { orgId }, select: { path: true } })).map((c) => Number(c.path.split('/')[2])).sort((a, b) => a - b)
const exchangeCount = (orgId: string | null) => db.tokenExchange.count({ where: { orgId, issuer: 'https://issuer.example' } })

describe(`gateway records retention (${engine})`, () => {
  it('the call retention is never shorter than the dormant window the unused-access finding reads', () => {
    expect(gatewayCallRetentionDays(400, 90)).toBe(400)
    expect(gatewayCallRetentionDays(400, 730)).toBe(730)
    expect(gatewayCallRetentionDays(30, 7)).toBe(30)
    expect(gatewayCallRetentionDays(30, 100_000)).toBe(MAX_DORMANT_DAYS)
  })

  it('deletes only rows older than the retention, keeps what the unused-access rule needs, and audits each run with counts', async () => {
    const a = await gatewayOrg('http://127.0.0.1:9')
    const b = await gatewayOrg('http://127.0.0.1:9')
    // b looks for unused gateway access over two years: its calls of 500 days ago are evidence and stay.
    await db.organization.update({ where: { id: b.org.id }, data: { settings: JSON.stringify({ dormantDays: 730 }) } })
    const bRoute2 = await addRoute(b.org.id, 'http://127.0.0.1:9')
    await seedCalls(a.org.id, a.identity.id, a.route.id, [1, 10, 399, 401, 500, 800])
    await seedCalls(b.org.id, b.identity.id, bRoute2.id, [1, 500, 729, 731, 800])
    await seedExchanges(a.org.id, [1, 300, 401, 900])
    await seedExchanges(null, [2, 450])
    // a has no trust provider but has routes: the scheduler queues it; its exchange rows (if any) are pruned too.

    await gatewayRetentionScheduler.run(new Date())
    await drainJobs()

    expect(await callAges(a.org.id)).toEqual([1, 10, 399])
    expect(await callAges(b.org.id)).toEqual([1, 500, 729])
    expect(await exchangeCount(a.org.id)).toBe(2)
    expect(await exchangeCount(null)).toBeGreaterThanOrEqual(1)
    expect(await db.tokenExchange.count({ where: { orgId: null, issuer: 'https://issuer.example', at: { lt: daysAgo(400) } } })).toBe(0)

    const audit = await db.auditEvent.findFirstOrThrow({ where: { orgId: a.org.id, action: 'gateway.records-pruned' } })
    const d = JSON.parse(audit.details) as { gatewayCalls: { deleted: number; days: number }; tokenExchanges: { deleted: number; days: number } }
    expect(d.gatewayCalls).toMatchObject({ deleted: 3, days: 400, more: false })
    expect(d.tokenExchanges).toMatchObject({ deleted: 2, days: 400 })
    const bAudit = await db.auditEvent.findFirstOrThrow({ where: { orgId: b.org.id, action: 'gateway.records-pruned' } })
    expect(JSON.parse(bAudit.details)).toMatchObject({ gatewayCalls: { deleted: 2, days: 730 } })

    // Once a day: the scheduler runs every minute, the day's job only once.
    await gatewayRetentionScheduler.run(new Date())
    await drainJobs()
    expect(await db.auditEvent.count({ where: { orgId: a.org.id, action: 'gateway.records-pruned' } })).toBe(1)
  })

  it('the calls of the dormant window are kept: without them the unused-access finding would be raised', async () => {
    const b = await gatewayOrg('http://127.0.0.1:9')
    await db.organization.update({ where: { id: b.org.id }, data: { settings: JSON.stringify({ dormantDays: 730 }) } })
    await db.grant.update({ where: { id: b.grant!.id }, data: { createdAt: daysAgo(800) } })
    await seedCalls(b.org.id, b.identity.id, b.route.id, [500, 800])
    await gatewayRetentionScheduler.run(new Date())
    await drainJobs()
    expect(await callAges(b.org.id)).toEqual([500])
    const unused = () => db.finding.findFirst({ where: { identityId: b.identity.id, rule: GATEWAY_UNUSED_RULE, status: 'open' } })
    await recomputeFindingsForOrg(b.ctx('admin'))
    expect(await unused()).toBeNull()
    // Had a flat 400-day retention deleted that call, the identity's grant would be reported unused.
    await db.gatewayCall.deleteMany({ where: { orgId: b.org.id } })
    await recomputeFindingsForOrg(b.ctx('admin'))
    expect(await unused()).not.toBeNull()
  })

  it('each batch reads the (orgId, at) index, not the whole table', async () => {
    const s = prismaSql()
    for (const table of ['GatewayCall', 'TokenExchange'] as const) {
      const stmt = pruneBatchSql(table, 'org-x', daysAgo(400))
      let plan: string
      if (s.engine === 'sqlite') {
        const rows = await s.query<{ detail: string }>(sql`EXPLAIN QUERY PLAN ${stmt}`)
        plan = rows.map((r) => r.detail).join('\n')
        expect(plan).toMatch(new RegExp(`SEARCH ${table} USING (COVERING )?INDEX ${table}_orgId_at_idx \\(orgId=\\? AND at<\\?\\)`))
      } else {
        // A near-empty test table is cheapest to scan; with scans priced out, the index must be usable for the batch.
        plan = await s.transaction(async (tx) => {
          await tx.execute(sql`SET LOCAL enable_seqscan = off`)
          const rows = await tx.query<{ 'QUERY PLAN': string }>(sql`EXPLAIN ${stmt}`)
          return rows.map((r) => r['QUERY PLAN']).join('\n')
        })
        expect(plan).toMatch(new RegExp(`Index (Only )?Scan using "?${table}_orgId_at_idx"?`))
      }
      expect(plan).not.toMatch(new RegExp(`SCAN ${table}\\b(?! USING)`))
    }
  })
})
