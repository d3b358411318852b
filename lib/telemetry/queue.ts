import 'server-only'
import { Gauge, Registry } from 'prom-client'
import { db } from '@/lib/db'
import { JOBS } from '@/lib/jobs/registry'
import { ACTIVE_JOB_STATUSES, queueGauges, type QueueRow } from '@/lib/telemetry/queue-gauges'

/**
 * Unfinished jobs by type and status, with the earliest `runAt` of each group. One grouped read through the
 * `Job(status, runAt)` index: only the unfinished rows are visited, never the finished history.
 */
export async function unsafeReadJobQueue(): Promise<QueueRow[]> {
  // Across organizations on purpose: the queue is the installation's, and only counts leave this function.
  const rows = await db.job.groupBy({
    by: ['type', 'status'],
    where: { status: { in: [...ACTIVE_JOB_STATUSES] } },
    _count: { _all: true },
    _min: { runAt: true },
  })
  return rows.map((r) => ({ type: r.type, status: r.status, count: r._count._all, oldestRunAt: r._min.runAt }))
}

/**
 * The job queue's gauges in Prometheus text, from one read made now: called by the web app's /metrics right before it
 * answers, so both gauges come from one read and nothing is read between scrapes. A registry of their own, built per
 * scrape: when the web app runs as several processes the rest of its metrics are summed over them, these must not be.
 */
export async function queueMetricsText(): Promise<string> {
  const registry = new Registry()
  const depthGauge = new Gauge({
    name: 'custodian_jobs',
    help: 'Unfinished jobs by type and status (queued, retrying, running), read from the database at scrape time.',
    labelNames: ['type', 'status'] as const,
    registers: [registry],
  })
  const ageGauge = new Gauge({
    name: 'custodian_job_oldest_due_age_seconds',
    help: 'How long the oldest due job of each type (queued or retrying, runAt passed) has waited for a worker, read at scrape time.',
    labelNames: ['type'] as const,
    registers: [registry],
  })
  const { depth, age } = queueGauges(await unsafeReadJobQueue(), Object.keys(JOBS), Date.now())
  for (const d of depth) depthGauge.set({ type: d.type, status: d.status }, d.value)
  for (const a of age) ageGauge.set({ type: a.type }, a.value)
  return registry.metrics()
}
