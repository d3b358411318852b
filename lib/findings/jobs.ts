import 'server-only'
import { z } from 'zod'
import type { Ctx } from '@/lib/auth/org-context'
import type { Tx } from '@/lib/db'
import { recomputeFindingsForOrg, snapshotOrgMetrics } from '@/lib/findings/recompute'
import { defineJob, PermanentJobError } from '@/lib/jobs/define'
import { dailyPerOrgScheduler } from '@/lib/jobs/daily'
import { enqueueJob } from '@/lib/jobs/queue'
import { utcDay } from '@/lib/metrics/compute'

const day = z.string().regex(/^\d{4}-\d{2}-\d{2}$/)

/** Re-evaluates every identity of the organization in batches, then takes a fresh snapshot for the dashboard. */
export const recomputeFindingsJob = defineJob({
  type: 'recompute_findings',
  lane: 'background',
  // `day`: the nightly run of that UTC day (one per day); without it, each request is its own job
  payload: z.object({ reason: z.string().max(200).default('requested'), day: day.optional() }),
  key: (p, { orgId }) => `recompute_findings:${orgId}:${p.day ?? `${Date.now()}:${Math.random().toString(36).slice(2, 8)}`}`,
  maxAttempts: 3,
  run: async ({ ctx, progress }) => {
    const result = await recomputeFindingsForOrg(ctx, (done, total) => progress(done, total))
    if (!result) throw new PermanentJobError('The organization no longer exists')
    return result
  },
})

export const metricsSnapshotJob = defineJob({
  type: 'metrics_snapshot',
  lane: 'background',
  payload: z.object({ day: day.optional() }),
  key: (p, { orgId }) => `metrics_snapshot:${orgId}:${p.day ?? utcDay(Date.now())}`,
  run: async ({ ctx }) => {
    const metrics = await snapshotOrgMetrics(ctx)
    if (!metrics) throw new PermanentJobError('The organization no longer exists')
    return { total: metrics.total, openFindings: metrics.openFindings }
  },
})

/**
 * Asks for a findings recompute of one organization, in the caller's transaction (after a sync, an import,
 * a settings change). A recompute already waiting to run covers this request too. A member's request is theirs
 * (createdById); a job passes the person who asked for it, if any.
 */
export async function enqueueFindingsRecompute(tx: Tx, ctx: Ctx, opts: { reason?: string; createdById?: string | null } = {}) {
  const orgId = ctx.org.id
  const waiting = await tx.job.findFirst({ where: { orgId, type: recomputeFindingsJob.type, status: { in: ['queued', 'retrying'] } } })
  if (waiting) return waiting
  // The job's progress total from the maintained IdentityFacet cells (every status): a few hundred rows, not a count
  // of the organization's identities (180 ms at 1,000,000) in the request that asked.
  const cells = await tx.identityFacet.aggregate({ where: { orgId }, _sum: { n: true } })
  const total = cells._sum.n ?? 0
  return enqueueJob(
    tx,
    recomputeFindingsJob,
    { reason: opts.reason ?? 'requested' },
    { orgId, total, createdById: opts.createdById !== undefined ? opts.createdById : ctx.actor.type === 'user' ? ctx.actor.id : null },
  )
}

/** Nightly: every organization gets one findings recompute (which also refreshes the snapshot) and one metrics snapshot per UTC day. */
export const findingsDailyScheduler = dailyPerOrgScheduler('findings-and-metrics-daily', async (tx, org, day, now) => {
  await enqueueJob(tx, recomputeFindingsJob, { reason: 'nightly', day }, { orgId: org.id })
  await enqueueJob(tx, metricsSnapshotJob, { day }, { orgId: org.id, runAt: now })
})
