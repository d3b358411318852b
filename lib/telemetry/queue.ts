import 'server-only'
import { Gauge, type Registry } from 'prom-client'
import { db } from '@/lib/db'
import { JOBS } from '@/lib/jobs/registry'

/** The statuses of work not finished yet: few rows, whatever the size of the history of finished jobs. */
export const ACTIVE_JOB_STATUSES = ['queued', 'retrying', 'running'] as const

export type QueueRow = { type: string; status: string; count: number; oldestRunAt: Date | null }

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
 * The gauges from the rows: every known job type appears (0 when none waits), and the age of the oldest job that is due
 * and waits for a worker (queued or retrying with `runAt` in the past; 0 when none is due).
 */
export function queueGauges(rows: QueueRow[], types: readonly string[], now: number) {
  const depth = new Map<string, number>()
  const age = new Map<string, number>()
  for (const t of types) {
    for (const s of ACTIVE_JOB_STATUSES) depth.set(`${t}\u0000${s}`, 0)
    age.set(t, 0)
  }
  for (const r of rows) {
    depth.set(`${r.type}\u0000${r.status}`, r.count)
    if (r.status !== 'running' && r.oldestRunAt) {
      const waited = Math.max(0, (now - r.oldestRunAt.getTime()) / 1000)
      age.set(r.type, Math.max(age.get(r.type) ?? 0, waited))
    }
  }
  return {
    depth: [...depth].map(([k, value]) => {
      const [type, status] = k.split('\u0000')
      return { type, status, value }
    }),
    age: [...age].map(([type, value]) => ({ type, value })),
  }
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
