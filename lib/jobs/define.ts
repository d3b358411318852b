import { z } from 'zod'
import { systemContext, type Org, type SystemCtx } from '@/lib/auth/org-context'
import type { Permission } from '@/lib/auth/permissions'
import type { Job } from '@/lib/generated/sqlite/client'

/** A failure that retrying cannot fix (bad payload, unsupported action): the job fails at once. */
export class PermanentJobError extends Error {}

/** A payload its job's schema refuses: refused at enqueue (a bug in the caller), and a permanent failure when run. */
export class JobPayloadError extends PermanentJobError {}

export type JobRun<P> = {
  /** the organization's system context, named after this job; authorization is `permissions`, never a role */
  ctx: SystemCtx
  payload: P
  job: Job
  workerId: string
  /** Records progress and extends the lease; long jobs call it every batch. */
  progress: (done: number, total?: number) => Promise<void>
}
export type JobResult = Record<string, unknown> | void

/** One job of a batch: its own system context (audit rows name this job), payload and row. */
export type BatchItem<P> = { ctx: SystemCtx; payload: P; job: Job }
export type BatchRun<P> = { items: BatchItem<P>[]; workerId: string }
/** What each job of a batch came to, by job id: its result, or the error it failed with (PermanentJobError: for good). */
export type BatchOutcomes = Map<string, JobResult | Error>

/**
 * Which of a worker's lanes runs the job. `background` is the long work nobody is waiting for (the nightly
 * recompute over a million identities, metric snapshots, statistics, scheduled syncs and reports); `reports` is a
 * person's export or evidence pack (a minute or more at a million identities, watched for, but not to hold up a
 * revocation); `interactive` is the rest, started by a person who watches for the result. Each worker claims from every
 * lane at once, so an e-mail, a revocation or an import preview never waits behind half an hour of nightly work or a
 * five-million-row export.
 */
export type JobLane = 'interactive' | 'reports' | 'background'
export const JOB_LANES: readonly JobLane[] = ['interactive', 'reports', 'background']

export type JobDefinition<T extends string, S extends z.ZodType> = {
  type: T
  /** validated when the job is queued and again when it runs */
  payload: S
  /** The idempotency key (the whole key, type first): the same key never makes a second job. */
  key: (payload: z.output<S>, where: { orgId: string }) => string
  /** attempts before the job fails for good (default 5) */
  maxAttempts?: number
  /** the worker lane it runs in (default interactive) */
  lane?: JobLane
  /** what the job's system context may do (assertCan); nothing by default */
  permissions?: readonly Permission[]
  run: (args: JobRun<z.output<S>>) => Promise<JobResult>
  /**
   * Jobs of this type may run together: having claimed one, the worker claims up to `max - 1` more due jobs of the same
   * type and organization and hands them all to `run`, which answers for each; every job still ends in its own state
   * (succeeded, retrying or failed), as if it had run alone. For work whose per-job cost is mostly fixed overhead (a
   * thousand revocations from one campaign: one outcome transaction instead of a thousand).
   */
  batch?: { max: number; run: (args: BatchRun<z.output<S>>) => Promise<BatchOutcomes> }
}
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- the registry holds definitions of every payload type
export type AnyJob = JobDefinition<string, any>

export function defineJob<const T extends string, S extends z.ZodType>(def: JobDefinition<T, S>): JobDefinition<T, S> {
  return def
}

/**
 * A scheduler enqueues recurring jobs (nightly recomputes, reminders). It runs every minute in each worker and must be
 * idempotent: the keys of the jobs it queues name the period (e.g. `metrics_snapshot:<orgId>:2026-11-23`). It is the
 * one kind of code that reads across organizations: work for one organization is a job of that organization, and what
 * it changes itself is done with schedulerContext (audited as the scheduler).
 */
export type SchedulerDefinition = { name: string; run: (now: Date) => Promise<void> }

export function defineScheduler(def: SchedulerDefinition): SchedulerDefinition {
  return def
}

/** Definitions by type, checked for duplicates: the literal registry the worker runs from. */
export function jobRegistry<const D extends readonly AnyJob[]>(defs: D): { readonly [J in D[number] as J['type']]: J } {
  const out: Record<string, AnyJob> = {}
  for (const d of defs) {
    if (out[d.type]) throw new Error(`Two job definitions for "${d.type}"`)
    out[d.type] = d
  }
  return out as { readonly [J in D[number] as J['type']]: J }
}

export type EnqueueOptions = {
  orgId: string
  /** not before (default now) */
  runAt?: Date
  /** expected units of work, for the progress bar */
  total?: number
  /** the person who asked, if one did */
  createdById?: string | null
}

/** Parses a payload with its job's schema; a refused payload is a JobPayloadError naming the job and the fields. */
export function parsePayload<S extends z.ZodType>(def: JobDefinition<string, S>, payload: unknown): z.output<S> {
  const parsed = def.payload.safeParse(payload)
  if (!parsed.success) throw new JobPayloadError(`Bad payload for ${def.type}: ${z.prettifyError(parsed.error)}`)
  return parsed.data
}

/** The Job row a definition makes of a payload: validated, keyed by the definition, with its attempts. */
export function jobRow<S extends z.ZodType>(def: JobDefinition<string, S>, payload: z.input<S>, opts: EnqueueOptions) {
  const data = parsePayload(def, payload)
  return {
    orgId: opts.orgId,
    type: def.type,
    payload: JSON.stringify(data),
    idempotencyKey: def.key(data, { orgId: opts.orgId }),
    runAt: opts.runAt ?? new Date(),
    maxAttempts: def.maxAttempts ?? 5,
    total: opts.total ?? 0,
    createdById: opts.createdById ?? null,
  }
}

/** The id of a record a payload names (looked up in the job's organization, never alone). */
export const recordId = z.string().min(1).max(64)

/** The system context a scheduler acts with in one organization (what it does beyond queuing jobs is audited so). */
export function schedulerContext(scheduler: SchedulerDefinition, org: Org): SystemCtx {
  return systemContext(org, { type: `${scheduler.name} scheduler`, id: null })
}
