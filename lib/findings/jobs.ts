import 'server-only'
import { db } from '@/lib/db'
import { utcDay } from '@/lib/metrics/compute'
import { enqueueLegacyJob } from '@/lib/jobs/queue'
import { PermanentJobError, registerJobHandler, registerScheduler } from '@/lib/jobs/legacy'
import { RECOMPUTE_JOB, recomputeFindingsForOrg, SNAPSHOT_JOB, snapshotOrgMetrics } from '@/lib/findings/recompute'

registerJobHandler(RECOMPUTE_JOB, async ({ job, progress }) => {
  if (!job.orgId) throw new PermanentJobError('recompute_findings needs an organization')
  const result = await recomputeFindingsForOrg(job.orgId, (done, total) => progress(done, total))
  if (!result) throw new PermanentJobError('The organization no longer exists')
  return result
})

registerJobHandler(SNAPSHOT_JOB, async ({ job }) => {
  if (!job.orgId) throw new PermanentJobError('metrics_snapshot needs an organization')
  const metrics = await snapshotOrgMetrics(job.orgId)
  if (!metrics) throw new PermanentJobError('The organization no longer exists')
  return { total: metrics.total, openFindings: metrics.openFindings }
})

/** Nightly: every organization gets one findings recompute (which also refreshes the snapshot) and one metrics snapshot per UTC day. */
async function enqueueDaily(now: Date) {
  const day = utcDay(now.getTime())
  const orgs = await db.organization.findMany({ select: { id: true } })
  for (const org of orgs) {
    await db.$transaction(async (tx) => {
      await enqueueLegacyJob(tx, { orgId: org.id, type: RECOMPUTE_JOB, idempotencyKey: `${RECOMPUTE_JOB}:${org.id}:${day}`, payload: { reason: 'nightly' }, maxAttempts: 3 })
      await enqueueLegacyJob(tx, { orgId: org.id, type: SNAPSHOT_JOB, idempotencyKey: `${SNAPSHOT_JOB}:${org.id}:${day}`, runAt: now })
    })
  }
}
registerScheduler('findings-and-metrics-daily', enqueueDaily)
