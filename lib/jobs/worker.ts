import 'server-only'
import { randomBytes } from 'node:crypto'
import { db } from '@/lib/db'
import { env } from '@/lib/env'
import { systemContext } from '@/lib/auth/org-context'
import {
  JOB_LANES,
  parsePayload,
  PermanentJobError,
  type AnyJob,
  type BatchItem,
  type JobLane,
  type JobResult,
  type SchedulerDefinition,
} from '@/lib/jobs/define'
import { JOBS, SCHEDULERS, type JobLookup } from '@/lib/jobs/registry'
import { backoffMs } from '@/lib/jobs/schemas'
import { prismaSql } from '@/lib/sql/prisma'
import { sql } from '@/lib/sql/sql'
import { logger } from '@/lib/log'
import { metrics } from '@/lib/telemetry/metrics'

const log = () => logger('worker')

/**
 * Claims the next due job with a lease. A job whose lease ran out (its worker died) is claimable again.
 * PostgreSQL: FOR UPDATE SKIP LOCKED lets several workers claim without blocking each other.
 * SQLite: one writer at a time, so the single UPDATE is already atomic.
 * `types` limits the claim to some job types (a lane); without it any due job is claimed.
 */
export async function claimNextJob(workerId: string, now = new Date(), types?: readonly string[]) {
  const lease = new Date(now.getTime() + env().jobLeaseMs)
  const lock = sql.byEngine({ sqlite: sql.empty, postgresql: sql` FOR UPDATE SKIP LOCKED` })
  const ofTypes = types ? sql` AND "type" IN (${sql.join(types.length ? types : [''])})` : sql.empty
  const rows = await prismaSql().query<{ id: string }>(
    sql`UPDATE "Job" SET "status" = 'running', "leaseUntil" = ${lease}, "lockedBy" = ${workerId}, "attempts" = "attempts" + 1, "updatedAt" = ${now}
     WHERE "id" = (SELECT "id" FROM "Job"
       WHERE (("status" IN ('queued','retrying') AND "runAt" <= ${now}) OR ("status" = 'running' AND "leaseUntil" < ${now}))${ofTypes}
       ORDER BY "runAt" ASC LIMIT 1${lock})
     RETURNING "id"`,
  )
  if (rows.length === 0) return null
  return db.job.findUnique({ where: { id: rows[0].id } })
}

type ClaimedJob = NonNullable<Awaited<ReturnType<typeof claimNextJob>>>

/** Claims up to `limit` more due jobs of a claimed job's type and organization, for a definition that runs in batches. */
async function claimBatchOf(job: ClaimedJob, workerId: string, limit: number, now = new Date()): Promise<ClaimedJob[]> {
  if (limit <= 0 || !job.orgId) return []
  const lease = new Date(now.getTime() + env().jobLeaseMs)
  const lock = sql.byEngine({ sqlite: sql.empty, postgresql: sql` FOR UPDATE SKIP LOCKED` })
  const rows = await prismaSql().query<{ id: string }>(
    sql`UPDATE "Job" SET "status" = 'running', "leaseUntil" = ${lease}, "lockedBy" = ${workerId}, "attempts" = "attempts" + 1, "updatedAt" = ${now}
     WHERE "id" IN (SELECT "id" FROM "Job"
       WHERE "status" IN ('queued','retrying') AND "runAt" <= ${now} AND "type" = ${job.type} AND "orgId" = ${job.orgId}
       ORDER BY "runAt" ASC LIMIT ${limit}${lock})
     RETURNING "id"`,
  )
  if (rows.length === 0) return []
  return db.job.findMany({ where: { id: { in: rows.map((r) => r.id) } }, orderBy: { runAt: 'asc' } })
}

/** A job runs as its organization's system, named after the job: the organization must still exist. */
async function runDefined(def: AnyJob, job: ClaimedJob, workerId: string, progress: (done: number, total?: number) => Promise<void>) {
  const payload = parsePayload(def, parseJson(job.payload))
  if (!job.orgId) throw new PermanentJobError(`${job.type} needs an organization`)
  const org = await db.organization.findUnique({ where: { id: job.orgId }, select: { id: true, slug: true, name: true } })
  if (!org) throw new PermanentJobError('The organization no longer exists.')
  const ctx = systemContext(org, { type: job.type, id: job.id }, def.permissions)
  return def.run({ ctx, payload, job, workerId, progress })
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text)
  } catch {
    return undefined
  }
}

/**
 * Runs one claimed job to its next state: succeeded, retrying with backoff, or failed for good (counted by type and
 * outcome). A type that runs in batches first claims its due siblings in the same organization and runs them with it;
 * the claimed job's own outcome is returned.
 */
export async function runClaimedJob(job: ClaimedJob, workerId: string, jobs: JobLookup = JOBS) {
  const def = jobs[job.type]
  if (def?.batch) {
    const claimed = [job, ...(await claimBatchOf(job, workerId, def.batch.max - 1))]
    const outcomes = await runBatch(def, claimed, workerId)
    for (const o of outcomes) metrics().jobOutcomes.inc({ type: job.type, outcome: o })
    return outcomes[0]
  }
  const outcome = await runToNextState(job, workerId, jobs)
  metrics().jobOutcomes.inc({ type: def ? job.type : 'unknown', outcome })
  return outcome
}

type NextState = 'succeeded' | 'retrying' | 'failed'

/** The row update that ends a run: succeeded with its result, or failed (retrying with backoff while attempts remain). */
function endState(job: ClaimedJob, result: JobResult | Error): { state: NextState; data: Parameters<typeof db.job.updateMany>[0]['data'] } {
  if (!(result instanceof Error))
    return {
      state: 'succeeded',
      data: { status: 'succeeded', result: JSON.stringify(result ?? {}), finishedAt: new Date(), leaseUntil: null, lastError: null },
    }
  const message = result.message.slice(0, 2000)
  if (result instanceof PermanentJobError || job.attempts >= job.maxAttempts)
    return { state: 'failed', data: { status: 'failed', lastError: message, finishedAt: new Date(), leaseUntil: null } }
  return { state: 'retrying', data: { status: 'retrying', lastError: message, runAt: new Date(Date.now() + backoffMs(job.attempts)), leaseUntil: null } }
}

/** Runs claimed jobs of one batching type and organization together, then ends each in its own state (one transaction). */
async function runBatch(def: AnyJob, claimed: ClaimedJob[], workerId: string): Promise<NextState[]> {
  const results = new Map<string, JobResult | Error>()
  const org = claimed[0].orgId ? await db.organization.findUnique({ where: { id: claimed[0].orgId }, select: { id: true, slug: true, name: true } }) : null
  const items: BatchItem<unknown>[] = []
  for (const job of claimed) {
    if (!org) {
      results.set(job.id, new PermanentJobError(job.orgId ? 'The organization no longer exists.' : `${job.type} needs an organization`))
      continue
    }
    try {
      items.push({ ctx: systemContext(org, { type: job.type, id: job.id }, def.permissions), payload: parsePayload(def, parseJson(job.payload)), job })
    } catch (err) {
      results.set(job.id, err as Error)
    }
  }
  if (items.length) {
    try {
      for (const [id, r] of await def.batch!.run({ items, workerId })) results.set(id, r)
    } catch (err) {
      // The batch as a whole failed (its outcome transaction, say): every job in it is retried on its own schedule.
      for (const it of items) results.set(it.job.id, err instanceof Error ? err : new Error(String(err)))
    }
  }
  const ends = claimed.map((job) => endState(job, results.get(job.id) ?? new Error('The batch gave this job no outcome.')))
  const now = new Date()
  const succeeded = claimed.flatMap((job, i) => (ends[i].state === 'succeeded' ? [{ id: job.id, result: String(ends[i].data.result) }] : []))
  await db.$transaction(async (tx) => {
    // The succeeded ones (nearly all) in one statement, each with its own result; the rest one by one.
    if (succeeded.length)
      await prismaSql(tx).execute(
        sql`UPDATE "Job" SET "status" = 'succeeded', "result" = CASE "id" ${sql.join(
          succeeded.map((j) => sql`WHEN ${j.id} THEN ${j.result}`),
          ' ',
        )} END, "finishedAt" = ${now}, "leaseUntil" = NULL, "lastError" = NULL, "updatedAt" = ${now}
            WHERE "lockedBy" = ${workerId} AND "id" ${sql.isIn(succeeded.map((j) => j.id))}`,
      )
    for (let i = 0; i < claimed.length; i++)
      if (ends[i].state !== 'succeeded') await tx.job.updateMany({ where: { id: claimed[i].id, lockedBy: workerId }, data: ends[i].data })
  })
  return ends.map((e) => e.state)
}

async function runToNextState(job: ClaimedJob, workerId: string, jobs: JobLookup) {
  const def = jobs[job.type]
  const owned = { id: job.id, lockedBy: workerId }
  if (!def) {
    await db.job.updateMany({
      where: owned,
      data: { status: 'failed', lastError: `No handler for job type "${job.type}"`, finishedAt: new Date(), leaseUntil: null },
    })
    return 'failed' as const
  }
  const progress = async (done: number, total?: number) => {
    await db.job.updateMany({
      where: owned,
      data: { progress: done, ...(total !== undefined ? { total } : {}), leaseUntil: new Date(Date.now() + env().jobLeaseMs) },
    })
  }
  let result: JobResult | Error
  try {
    result = await runDefined(def, job, workerId, progress)
  } catch (err) {
    result = err instanceof Error ? err : new Error(String(err))
  }
  const end = endState(job, result)
  await db.job.updateMany({ where: owned, data: end.data })
  return end.state
}

/** Runs due jobs until none is left (tests, benchmarks); returns how many claims it made (a batch is one claim). */
export async function drainJobs(workerId = `drain-${randomBytes(4).toString('hex')}`, max = 1000, jobs: JobLookup = JOBS) {
  let n = 0
  for (; n < max; n++) {
    const job = await claimNextJob(workerId)
    if (!job) break
    await runClaimedJob(job, workerId, jobs)
  }
  return n
}

/** The job types of a lane (a definition without one is interactive). */
export function laneTypes(lane: JobLane, jobs: JobLookup = JOBS): string[] {
  return Object.values(jobs)
    .filter((d): d is AnyJob => !!d && (d.lane ?? 'interactive') === lane)
    .map((d) => d.type)
}

/**
 * The worker: one loop per lane, side by side, each claiming only its lane's job types, so a person's job is never
 * queued behind the nightly bulk work. Schedulers run in the interactive loop, once a minute.
 */
export async function runWorker(
  opts: { workerId?: string; pollMs?: number; signal?: AbortSignal; jobs?: JobLookup; schedulers?: readonly SchedulerDefinition[] } = {},
) {
  const workerId = opts.workerId ?? `worker-${process.pid}-${randomBytes(3).toString('hex')}`
  const pollMs = opts.pollMs ?? 1000
  const jobs = opts.jobs ?? JOBS
  log().info({ workerId }, 'worker started')
  let lastSchedule = 0
  const loop = async (lane: JobLane) => {
    const types = laneTypes(lane, jobs)
    while (!opts.signal?.aborted) {
      let job = null
      if (lane === 'interactive' && Date.now() - lastSchedule > 60_000) {
        lastSchedule = Date.now()
        await runSchedulers(new Date(), opts.schedulers)
      }
      try {
        job = await claimNextJob(workerId, new Date(), types)
        if (job) {
          const outcome = await runClaimedJob(job, workerId, jobs)
          log().info({ workerId, jobId: job.id, type: job.type, outcome, attempt: job.attempts }, 'job run')
        }
      } catch (err) {
        log().error({ workerId, lane, err: (err as Error).message }, 'worker loop error')
      }
      if (!job) await new Promise((r) => setTimeout(r, pollMs))
    }
  }
  await Promise.all(JOB_LANES.map(loop))
  log().info({ workerId }, 'worker stopped')
}

/** Runs every scheduler once; one failing scheduler does not stop the others. */
export async function runSchedulers(now: Date, schedulers: readonly SchedulerDefinition[] = SCHEDULERS) {
  for (const s of schedulers) {
    try {
      await s.run(now)
    } catch (err) {
      log().error({ scheduler: s.name, err: (err as Error).message }, 'scheduler failed')
    }
  }
}
