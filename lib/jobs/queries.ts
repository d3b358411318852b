import 'server-only'
import { assertCan, type Ctx } from '@/lib/auth/org-context'
import { db } from '@/lib/db'
import { NotFoundError } from '@/lib/errors'

const JOB_SELECT = {
  id: true,
  type: true,
  status: true,
  progress: true,
  total: true,
  attempts: true,
  maxAttempts: true,
  result: true,
  lastError: true,
  createdAt: true,
  updatedAt: true,
  finishedAt: true,
} as const

function resultOf(json: string | null): Record<string, unknown> | null {
  if (!json) return null
  try {
    const v: unknown = JSON.parse(json)
    return v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : null
  } catch {
    return null
  }
}

async function readJob(ctx: Ctx, jobId: string) {
  const job = await db.job.findFirst({ where: { id: jobId, orgId: ctx.org.id }, select: JOB_SELECT })
  // Another organization's job is indistinguishable from one that does not exist.
  if (!job) throw new NotFoundError('Operation not found')
  return { ...job, result: resultOf(job.result) }
}
export type JobStatusRow = Awaited<ReturnType<typeof readJob>>

/** One of the organization's jobs: its status, progress and result (never its payload). */
export async function getJob(ctx: Ctx, jobId: string) {
  assertCan(ctx, 'job:read')
  return readJob(ctx, jobId)
}

/** The job the caller has just started, read back for its answer: being allowed to start it is being allowed to see it started. */
export function getStartedJob(ctx: Ctx, jobId: string) {
  return readJob(ctx, jobId)
}
