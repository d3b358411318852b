import 'server-only'
import { Gauge, type Registry } from 'prom-client'
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

type QueueGauges = { depth: Gauge<'type' | 'status'>; age: Gauge<'type'> }
const gauges = new WeakMap<Registry, QueueGauges>()

/**
 * Reads the queue once and sets its gauges in the registry (added the first time): called by the /metrics endpoint
 * right before it renders, so both gauges come from one read and nothing is read between scrapes.
 */
export async function updateQueueMetrics(registry: Registry) {
  let g = gauges.get(registry)
  if (!g) {
    g = {
      depth: new Gauge({
        name: 'custodian_jobs',
        help: 'Unfinished jobs by type and status (queued, retrying, running), read from the database at scrape time.',
        labelNames: ['type', 'status'] as const,
        registers: [registry],
      }),
      age: new Gauge({
        name: 'custodian_job_oldest_due_age_seconds',
        help: 'How long the oldest due job of each type (queued or retrying, runAt passed) has waited for a worker, read at scrape time.',
        labelNames: ['type'] as const,
        registers: [registry],
      }),
    }
    gauges.set(registry, g)
  }
  const { depth, age } = queueGauges(await unsafeReadJobQueue(), Object.keys(JOBS), Date.now())
  g.depth.reset()
  for (const d of depth) g.depth.set({ type: d.type, status: d.status }, d.value)
  g.age.reset()
  for (const a of age) g.age.set({ type: a.type }, a.value)
}
