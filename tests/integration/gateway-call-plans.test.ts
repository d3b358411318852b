import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { db } from '@/lib/db'
import { identityGatewayAccess } from '@/lib/gateway/queries'
import { prismaSql } from '@/lib/sql/prisma'
import { refreshStatistics, STATISTICS_TABLES } from '@/lib/sql/statistics'
import { sql } from '@/lib/sql/sql'
import { addIdentity, createOrg, engine } from './fixtures'

// The identity page lists an identity's latest gateway calls. At 1,000,000 recorded calls it took 134 ms a render (242 ms
// for an identity with none): GatewayCall had no planner statistics (it fills after the last ANALYZE, from the gateway,
// not from an import), and with an index on (identityId, at) SQLite preferred (orgId, at), which gives the ORDER BY, and
// walked the organization's calls by time. (identityId, at, id) gives the whole order, so it wins with or without them.
const LATEST = (orgId: string, identityId: string) =>
  sql`SELECT "id", "at" FROM "GatewayCall" WHERE "orgId" = ${orgId} AND "identityId" = ${identityId} ORDER BY "at" DESC, "id" DESC LIMIT 50`

let o: Awaited<ReturnType<typeof createOrg>>
let quiet: { id: string }
let busy: { id: string }

beforeAll(async () => {
  o = await createOrg('Gateway call plans')
  quiet = await addIdentity(o.org.id, o.source.id)
  busy = await addIdentity(o.org.id, o.source.id)
  const at = Date.now() - 86_400_000
  await db.gatewayCall.createMany({
    data: Array.from({ length: 3000 }, (_, i) => ({
      orgId: o.org.id,
      identityId: busy.id,
      at: new Date(at + i * 1000),
      method: 'GET',
      path: `/v1/things/${i}`,
      status: 200,
      latencyMs: 3,
      decision: 'allow',
    })),
  })
}, 120_000)

afterAll(async () => {
  await db.gatewayCall.deleteMany({ where: { orgId: o.org.id } })
})

async function planOf(orgId: string, identityId: string): Promise<string> {
  const s = prismaSql()
  const q = LATEST(orgId, identityId)
  if (s.engine === 'sqlite') {
    const rows = await s.query<{ detail: string }>(sql`EXPLAIN QUERY PLAN ${q}`)
    return rows.map((r) => r.detail).join(' | ')
  }
  const rows = await s.query<{ 'QUERY PLAN': string }>(sql`EXPLAIN ${q}`)
  return rows.map((r) => r['QUERY PLAN']).join(' | ')
}

describe('an identity’s latest gateway calls', () => {
  it.runIf(engine === 'sqlite')('plan on the identity’s index when GatewayCall has no statistics yet', async () => {
    const s = prismaSql()
    const [{ n }] = await s.query<{ n: unknown }>(sql`SELECT COUNT(*) AS n FROM sqlite_master WHERE "name" = 'sqlite_stat1'`)
    if (Number(n)) await s.execute(sql`DELETE FROM sqlite_stat1 WHERE "tbl" = 'GatewayCall'`)
    for (const id of [quiet.id, busy.id]) {
      const plan = await planOf(o.org.id, id)
      expect(plan).toContain('GatewayCall_identityId_at_id_idx')
      expect(plan).not.toContain('TEMP B-TREE')
    }
  })

  it('plan on the identity’s index once the daily statistics refresh has counted the calls', async () => {
    expect(STATISTICS_TABLES).toContain('GatewayCall')
    await refreshStatistics(prismaSql(), ['GatewayCall'])
    for (const id of [quiet.id, busy.id]) expect(await planOf(o.org.id, id)).toContain('GatewayCall_identityId_at_id_idx')
  })

  it('are the latest first, ties by id, as the identity page shows them', async () => {
    const { recentCalls } = await identityGatewayAccess(o.ctx('member'), busy.id, { now: new Date() })
    expect(recentCalls).toHaveLength(50)
    expect(recentCalls[0].path).toBe('/v1/things/2999')
    expect(recentCalls.map((c) => +c.at)).toEqual([...recentCalls.map((c) => +c.at)].sort((a, b) => b - a))
    expect((await identityGatewayAccess(o.ctx('member'), quiet.id, { now: new Date() })).recentCalls).toEqual([])
  })
})
