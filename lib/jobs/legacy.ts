import type { Job } from '@/lib/generated/sqlite/client'

export type JobRunContext = {
  job: Job
  payload: Record<string, unknown>
  workerId: string
  /** Records progress and extends the lease; long jobs call it every batch. */
  progress: (done: number, total?: number) => Promise<void>
}
export type JobHandler = (ctx: JobRunContext) => Promise<Record<string, unknown> | void>

export { PermanentJobError } from '@/lib/jobs/define'

export type EnqueueInput = {
  orgId: string | null
  type: string
  payload?: Record<string, unknown>
  idempotencyKey: string
  runAt?: Date
  maxAttempts?: number
  total?: number
  createdById?: string | null
}

const handlers = new Map<string, JobHandler>()

export function registerJobHandler(type: string, handler: JobHandler) {
  handlers.set(type, handler)
}

export function getJobHandler(type: string): JobHandler | undefined {
  return handlers.get(type)
}

/** A scheduler enqueues recurring jobs (nightly recomputes, reminders). It runs every minute in each worker and
 * must be idempotent: use an idempotency key naming the period (e.g. `metrics_snapshot:<orgId>:2026-11-23`). */
export type Scheduler = (now: Date) => Promise<void>
const schedulers = new Map<string, Scheduler>()

export function registerScheduler(name: string, fn: Scheduler) {
  schedulers.set(name, fn)
}

export function listSchedulers(): [string, Scheduler][] {
  return [...schedulers.entries()]
}
