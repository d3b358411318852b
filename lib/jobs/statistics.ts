import 'server-only'
import { z } from 'zod'
import { db } from '@/lib/db'
import { defineJob, defineScheduler } from '@/lib/jobs/define'
import { enqueueJob, enqueueJobNow } from '@/lib/jobs/queue'
import { utcDay } from '@/lib/metrics/compute'
import { prismaSql } from '@/lib/sql/prisma'
import { refreshStatistics } from '@/lib/sql/statistics'

/**
 * Refreshes the database's planner statistics (the tables are shared by every organization, so the statistics are too).
 * Runs in the worker, never on a web request: 10–36 s at 1,000,000 identities on SQLite (one table at a time).
 */
export const refreshStatisticsJob = defineJob({
  type: 'refresh_statistics',
  lane: 'background',
  payload: z.object({ reason: z.string().max(200).default('nightly'), day: z.string().regex(/^\d{4}-\d{2}-\d{2}$/) }),
  // The whole database's statistics: one job per reason and day, whichever organization it is filed under.
  key: (p) => `refresh_statistics:${p.reason}:${p.day}`,
  maxAttempts: 3,
  run: async ({ payload }) => {
    const result = await refreshStatistics(prismaSql())
    console.log(`jobs: planner statistics refreshed (${payload.reason}) in ${result.ms} ms`)
    return { reason: payload.reason, ...result }
  },
})

/**
 * Nightly: planner statistics once per UTC day, so plans follow the data as it grows (imports and syncs that change
 * many rows refresh them at once too). The statistics describe tables every organization shares, so this is one job a
 * day for the whole database, not one per organization: with a thousand organizations that would analyze a
 * 1,000,000-identity database a thousand times a night (10–36 s each on SQLite). Every job belongs to an organization,
 * so it is filed under the oldest one; its key names the day alone, so a second worker, a second run or another
 * oldest organization never adds a second job.
 */
export const statisticsDailyScheduler = defineScheduler({
  name: 'planner-statistics-daily',
  run: async (now) => {
    const oldest = await db.organization.findFirst({ orderBy: [{ createdAt: 'asc' }, { id: 'asc' }], select: { id: true } })
    if (oldest) await enqueueJobNow(refreshStatisticsJob, { reason: 'nightly', day: utcDay(now.getTime()) }, { orgId: oldest.id, runAt: now })
  },
})

/**
 * Asks the worker for a statistics refresh soon, from a web request that changed many rows (the API's bulk upsert): a
 * request never runs ANALYZE itself, which blocks its whole process (0.4 s after 100,000 rows, 10–36 s at 1,000,000).
 * A refresh already waiting covers this request too. Filed under the organization whose write asked for it.
 */
export async function queueStatisticsRefresh(orgId: string, reason: string, now = new Date()): Promise<void> {
  await db.$transaction(async (tx) => {
    // The installation's statistics: any organization's waiting refresh will do, and only its existence is read.
    const waiting = await tx.job.findFirst({ where: { type: refreshStatisticsJob.type, status: { in: ['queued', 'retrying'] } }, select: { id: true } })
    if (waiting) return
    await enqueueJob(tx, refreshStatisticsJob, { reason: `${reason} at ${now.toISOString()}`, day: utcDay(now.getTime()) }, { orgId, runAt: now })
  })
}
