import { describe, expect, it } from 'vitest'
import { systemContext } from '@/lib/auth/org-context'
import { applyDiscovery } from '@/lib/connectors/sync'
import type { DiscoveryPage } from '@/lib/connectors/types'
import { db } from '@/lib/db'
import { refreshStatisticsJob, statisticsDailyScheduler } from '@/lib/jobs/statistics'
import { drainJobs } from '@/lib/jobs/worker'
import { utcDay } from '@/lib/metrics/compute'
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
