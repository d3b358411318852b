import 'server-only'
import { db, type Tx } from '@/lib/db'

export type EnqueueInput = {
  orgId: string | null
  type: string
  payload?: Record<string, unknown>
  /** The same key never makes a second job: retries of the request that asked for it are harmless. */
  idempotencyKey: string
  runAt?: Date
  maxAttempts?: number
  total?: number
  createdById?: string | null
}

/** Enqueues in the caller's transaction, so the job exists exactly when the change that asked for it commits. */
export async function enqueueJob(tx: Tx, input: EnqueueInput) {
  const existing = await tx.job.findUnique({ where: { idempotencyKey: input.idempotencyKey } })
  if (existing) return existing
  return tx.job.create({
    data: {
      orgId: input.orgId,
      type: input.type,
      payload: JSON.stringify(input.payload ?? {}),
      idempotencyKey: input.idempotencyKey,
      runAt: input.runAt ?? new Date(),
      maxAttempts: input.maxAttempts ?? 5,
      total: input.total ?? 0,
      createdById: input.createdById ?? null,
    },
  })
}

export async function enqueueJobNow(input: EnqueueInput) {
  return db.$transaction((tx) => enqueueJob(tx, input))
}
