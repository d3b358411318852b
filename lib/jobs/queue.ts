import 'server-only'
import type { z } from 'zod'
import { db, type Tx } from '@/lib/db'
import { jobRow, type EnqueueOptions, type JobDefinition } from '@/lib/jobs/define'
import { insertRows, type Columns } from '@/lib/sql/bulk'
import { prismaSql } from '@/lib/sql/prisma'

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

const JOB_COLUMNS = [
  ['id', 'text'],
  ['orgId', 'text'],
  ['type', 'text'],
  ['status', 'text'],
  ['payload', 'text'],
  ['idempotencyKey', 'text'],
  ['attempts', 'int'],
  ['maxAttempts', 'int'],
  ['runAt', 'date'],
  ['progress', 'int'],
  ['total', 'int'],
  ['createdById', 'text'],
  ['createdAt', 'date'],
  ['updatedAt', 'date'],
] as const satisfies Columns

/**
 * Many new jobs (jobRow rows with ids made by the caller, whose keys name records made in the same transaction, so no
 * key can exist yet) in a few multi-row statements: a campaign's thousand revocations.
 */
export async function enqueueNewJobs(tx: Tx, rows: readonly (ReturnType<typeof jobRow> & { id: string })[]): Promise<void> {
  const now = new Date()
  const values = rows.map((r) => {
    const row: Record<string, unknown> = { ...r, status: 'queued', attempts: 0, progress: 0, createdAt: now, updatedAt: now }
    return JOB_COLUMNS.map(([c]) => row[c])
  })
  await insertRows(prismaSql(tx), 'Job', JOB_COLUMNS, values)
}
