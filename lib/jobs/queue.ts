import 'server-only'
import type { z } from 'zod'
import { db, type Tx } from '@/lib/db'
import { jobRow, type EnqueueOptions, type JobDefinition } from '@/lib/jobs/define'

/**
 * Enqueues in the caller's transaction, so the job exists exactly when the change that asked for it commits. The
 * payload is checked against the job's schema first (a bad one throws JobPayloadError and nothing is queued), and the
 * definition builds the idempotency key: asking again with the same key returns the job already queued.
 */
export async function enqueueJob<S extends z.ZodType>(tx: Tx, job: JobDefinition<string, S>, payload: z.input<S>, opts: EnqueueOptions) {
  const row = jobRow(job, payload, opts)
  const existing = await tx.job.findUnique({ where: { idempotencyKey: row.idempotencyKey } })
  if (existing) return existing
  return tx.job.create({ data: row })
}

export async function enqueueJobNow<S extends z.ZodType>(job: JobDefinition<string, S>, payload: z.input<S>, opts: EnqueueOptions) {
  return db.$transaction((tx) => enqueueJob(tx, job, payload, opts))
}
