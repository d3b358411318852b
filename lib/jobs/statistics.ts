import 'server-only'
import { z } from 'zod'
import { defineJob } from '@/lib/jobs/define'
import { dailyPerOrgScheduler } from '@/lib/jobs/daily'
import { enqueueJob } from '@/lib/jobs/queue'
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
  key: (p, { orgId }) => `refresh_statistics:${orgId}:${p.day}`,
  maxAttempts: 3,
  run: async ({ payload }) => {
    const result = await refreshStatistics(prismaSql())
    console.log(`jobs: planner statistics refreshed (${payload.reason}) in ${result.ms} ms`)
    return { reason: payload.reason, ...result }
  },
})

/**
 * Nightly: planner statistics for each UTC day, so plans follow the data as it grows (imports and syncs that change
 * many rows refresh them at once too). One job per organization and day; with several organizations that repeats
 * a few seconds of work, in exchange for every job belonging to an organization.
 */
export const statisticsDailyScheduler = dailyPerOrgScheduler('planner-statistics-daily', (tx, org, day, now) =>
  enqueueJob(tx, refreshStatisticsJob, { reason: 'nightly', day }, { orgId: org.id, runAt: now }),
)
