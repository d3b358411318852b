import type { Job } from '@/lib/generated/sqlite/client'

export type JobRunContext = {
  job: Job
  payload: Record<string, unknown>
  workerId: string
  /** Records progress and extends the lease; long jobs call it every batch. */
  progress: (done: number, total?: number) => Promise<void>
}
export type JobHandler = (ctx: JobRunContext) => Promise<Record<string, unknown> | void>

/** A failure that retrying cannot fix (bad payload, unsupported action): the job fails at once. */
export class PermanentJobError extends Error {}

const handlers = new Map<string, JobHandler>()

export function registerJobHandler(type: string, handler: JobHandler) {
  handlers.set(type, handler)
}

export function getJobHandler(type: string): JobHandler | undefined {
  return handlers.get(type)
}
