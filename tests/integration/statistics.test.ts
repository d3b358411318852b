import { describe, expect, it } from 'vitest'
import { systemContext } from '@/lib/auth/org-context'
import { applyDiscovery } from '@/lib/connectors/sync'
import type { DiscoveryPage } from '@/lib/connectors/types'
import { db } from '@/lib/db'
import { refreshStatisticsJob, statisticsDailyScheduler } from '@/lib/jobs/statistics'
import { drainJobs } from '@/lib/jobs/worker'
import { utcDay } from '@/lib/metrics/compute'
import { openDriverSql } from '@/lib/sql/driver'
import { prismaSql } from '@/lib/sql/prisma'
import { analyzedRows, refreshStatistics, STATISTICS_CHANGE_FLOOR, STATISTICS_CHANGE_SHARE } from '@/lib/sql/statistics'
import { sql } from '@/lib/sql/sql'
import { createOrg, engine } from './fixtures'

const s = () => prismaSql()

/** Forgets the statistics (SQLite) or notes the time (PostgreSQL keeps them; its last_analyze moves on). */
async function forgetStatistics(): Promise<Date> {
  if (engine === 'sqlite') {
    await s().execute(sql`ANALYZE "Organization"`) // creates sqlite_stat1 when missing
    await s().execute(sql`DELETE FROM sqlite_stat1`)
  }
  await new Promise((r) => setTimeout(r, 5))
  return new Date()
}

/** Forgets only the Grant table's statistics (SQLite), the others still describing the database; notes the time. */
async function forgetGrantStatistics(): Promise<Date> {
  if (engine === 'sqlite') await s().execute(sql`DELETE FROM sqlite_stat1 WHERE "tbl" = 'Grant'`)
  await new Promise((r) => setTimeout(r, 5))
  return new Date()
}

/** Whether the Grant table has planner statistics taken since `since`. */
async function grantAnalyzedSince(since: Date): Promise<boolean> {
  if (engine === 'sqlite') {
    const [{ n }] = await s().query<{ n: number }>(sql`SELECT COUNT(*) AS n FROM sqlite_stat1 WHERE "tbl" = 'Grant'`)
    return Number(n) > 0
  }
  const [row] = await s().query<{ at: Date | null }>(sql`SELECT last_analyze AS at FROM pg_stat_user_tables WHERE relname = 'Grant'`)
  return !!row?.at && new Date(row.at).getTime() >= since.getTime()
}

async function* onePage(n: number): AsyncGenerator<DiscoveryPage> {
  yield {
    resources: [{ externalId: 'db', name: 'db', type: 'database' }],
    entitlements: [{ resourceExternalId: 'db', externalId: 'SELECT', name: 'SELECT', privileged: false }],
    identities: Array.from({ length: n }, (_, i) => ({ externalId: `i${i}`, name: `svc-${i}`, kind: 'service_account' })),
    grants: Array.from({ length: n }, (_, i) => ({ identityExternalId: `i${i}`, resourceExternalId: 'db', entitlementExternalId: 'SELECT' })),
  }
}

describe(`planner statistics (${engine})`, () => {
  it('the nightly scheduler queues one refresh a day for the whole database, whatever the number of organizations, and the job refreshes them', async () => {
    const { org, source } = await createOrg()
    const other = await createOrg()
    await applyDiscovery(systemContext(org, { type: 'sync_source', id: null }), source.id, onePage(3), { mode: 'full' })
    const since = await forgetStatistics()
    expect(await grantAnalyzedSince(since)).toBe(false)
    // A day of its own, long past (so the job is due at once): a real worker that other test files start runs every
    // scheduler each minute, and today's job may already exist and have run before these statistics were forgotten.
    const now = new Date(Date.UTC(2000, 0, 1 + Math.floor(Math.random() * 365), 3))
    await statisticsDailyScheduler.run(now)
    await statisticsDailyScheduler.run(new Date(now.getTime() + 60_000))
    const jobs = await db.job.findMany({ where: { type: refreshStatisticsJob.type, idempotencyKey: { endsWith: utcDay(now.getTime()) } } })
    expect(jobs).toHaveLength(1)
    expect(jobs[0].idempotencyKey).toBe(`refresh_statistics:nightly:${utcDay(now.getTime())}`)
    // Filed under the oldest organization (every job belongs to one): older than both made here (other test files add
    // organizations meanwhile, some with earlier dates, so "the oldest now" may have moved on since).
    const filedUnder = await db.organization.findUniqueOrThrow({ where: { id: jobs[0].orgId! } })
    for (const mine of [org.id, other.org.id]) {
      const o = await db.organization.findUniqueOrThrow({ where: { id: mine } })
      expect(filedUnder.createdAt.getTime()).toBeLessThanOrEqual(o.createdAt.getTime())
    }
    await drainJobs()
    // (or a worker another test file started ran it: wait for its end)
    let done = await db.job.findUniqueOrThrow({ where: { id: jobs[0].id } })
    for (let i = 0; i < 100 && done.status === 'running'; i++) {
      await new Promise((r) => setTimeout(r, 100))
      done = await db.job.findUniqueOrThrow({ where: { id: jobs[0].id } })
    }
    expect(done.status).toBe('succeeded')
    expect(JSON.parse(done.result ?? '{}')).toMatchObject({ reason: 'nightly', engine, tables: expect.arrayContaining(['Identity', 'Grant', 'Finding']) })
    expect(await grantAnalyzedSince(since)).toBe(true)
  })

  it('a sync that changes a tenth of what the statistics describe refreshes them at once', async () => {
    const { org, source } = await createOrg()
    await refreshStatistics(s())
    const rows = await analyzedRows(s(), ['Identity', 'Grant', 'Credential'])
    expect(rows).not.toBeNull()
    // Each identity of the page comes with one grant: two changed rows.
    const n = Math.ceil((STATISTICS_CHANGE_FLOOR + STATISTICS_CHANGE_SHARE * rows!) / 2) + 1
    const since = await forgetGrantStatistics()
    const r = await applyDiscovery(systemContext(org, { type: 'sync_source', id: null }), source.id, onePage(n), { mode: 'full' })
    expect(r.added).toBe(n)
    expect(await grantAnalyzedSince(since)).toBe(true)
  })

  it('a small sync in a small organization leaves the statistics of the whole database alone', async () => {
    const { org, source } = await createOrg()
    await refreshStatistics(s())
    const since = await forgetGrantStatistics()
    const r = await applyDiscovery(systemContext(org, { type: 'sync_source', id: null }), source.id, onePage(20), { mode: 'full' })
    expect(r.added).toBe(20)
    expect(await grantAnalyzedSince(since)).toBe(false)
  })

  // PostgreSQL cannot forget its statistics; SQLite can (no sqlite_stat1 rows at all).
  it.runIf(engine === 'sqlite')('a sync into a database never analyzed refreshes them', async () => {
    const { org, source } = await createOrg()
    const since = await forgetStatistics()
    expect(await analyzedRows(s(), ['Identity', 'Grant', 'Credential'])).toBeNull()
    const r = await applyDiscovery(systemContext(org, { type: 'sync_source', id: null }), source.id, onePage(3), { mode: 'full' })
    expect(r.added).toBe(3)
    expect(await grantAnalyzedSince(since)).toBe(true)
  })
})

describe.runIf(engine === 'sqlite')('statistics reach the connections already open (sqlite)', () => {
  it('a refresh by another connection changes the plans of this one', async () => {
    // The worker refreshes; the web process's connection, open since start, must plan with what it wrote.
    const other = await openDriverSql(process.env.DATABASE_URL!)
    try {
      await other.execute(sql`DROP TABLE IF EXISTS "StatisticsProbe"`)
      await other.execute(sql`CREATE TABLE "StatisticsProbe" ("id" INTEGER PRIMARY KEY, "org" TEXT, "ident" TEXT, "priv" INTEGER, "created" INTEGER)`)
      await other.execute(sql`CREATE INDEX "StatisticsProbe_org_priv" ON "StatisticsProbe" ("org", "priv", "created")`)
      await other.execute(sql`CREATE INDEX "StatisticsProbe_ident" ON "StatisticsProbe" ("ident")`)
      // 20,000 rows, each its own identity, and no statistics for the table yet (as after a first import).
      await other.execute(
        sql`INSERT INTO "StatisticsProbe" ("org", "ident", "priv", "created")
          WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 20000) SELECT 'o1', 'i' || i, i % 2, i FROM n`,
      )
      let asked = 0
      const plan = async () => {
        // A statement that runs loads a changed schema (EXPLAIN alone does not look, and its kept statement keeps its
        // answer: a new text each time).
        await s().query(sql`SELECT "id" FROM "StatisticsProbe" WHERE "id" = 1`)
        const rows = await s().query<{ detail: string }>(
          sql.raw(
            `EXPLAIN QUERY PLAN SELECT * FROM "StatisticsProbe" WHERE "ident" = 'i5' AND "org" = 'o1' ORDER BY "priv" DESC, "created" DESC LIMIT ${500 + asked++}`,
          ),
        )
        return rows.map((r) => r.detail).join(' | ')
      }
      expect(await plan()).toContain('StatisticsProbe_org_priv')
      // Without statistics the planner takes the index that gives the order and walks the organization; with them, the
      // identity's. The other connection refreshes them (sqlite_stat1 exists: rows rewritten, no schema change of itself).
      await refreshStatistics(other, ['StatisticsProbe'])
      expect(await plan()).toContain('StatisticsProbe_ident')
    } finally {
      await other.execute(sql`DROP TABLE IF EXISTS "StatisticsProbe"`)
      await other.close()
    }
  })
})
