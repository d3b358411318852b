/** The statuses of work not finished yet: few rows, whatever the size of the history of finished jobs. */
export const ACTIVE_JOB_STATUSES = ['queued', 'retrying', 'running'] as const

export type QueueRow = { type: string; status: string; count: number; oldestRunAt: Date | null }

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
