import 'server-only'
import { randomBytes } from 'node:crypto'
import { db } from '@/lib/db'
import { env } from '@/lib/env'
import { systemContext } from '@/lib/auth/org-context'
import { JOB_LANES, parsePayload, PermanentJobError, type AnyJob, type JobLane, type SchedulerDefinition } from '@/lib/jobs/define'
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

/** Runs one claimed job to its next state: succeeded, retrying with backoff, or failed for good (counted by type and outcome). */
export async function runClaimedJob(job: ClaimedJob, workerId: string, jobs: JobLookup = JOBS) {
  const outcome = await runToNextState(job, workerId, jobs)
  metrics().jobOutcomes.inc({ type: jobs[job.type] ? job.type : 'unknown', outcome })
  return outcome
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
  try {
    const result = await runDefined(def, job, workerId, progress)
    await db.job.updateMany({
      where: owned,
      data: { status: 'succeeded', result: JSON.stringify(result ?? {}), finishedAt: new Date(), leaseUntil: null, lastError: null },
    })
    return 'succeeded' as const
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err)
    const permanent = err instanceof PermanentJobError
    const giveUp = permanent || job.attempts >= job.maxAttempts
    await db.job.updateMany({
      where: owned,
      data: giveUp
        ? { status: 'failed', lastError: message.slice(0, 2000), finishedAt: new Date(), leaseUntil: null }
        : { status: 'retrying', lastError: message.slice(0, 2000), runAt: new Date(Date.now() + backoffMs(job.attempts)), leaseUntil: null },
    })
    return giveUp ? ('failed' as const) : ('retrying' as const)
  }
}

/** Runs due jobs until none is left (used by tests and by the worker loop). */
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
