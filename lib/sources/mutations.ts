import 'server-only'
import { assertCan, type UserCtx } from '@/lib/auth/org-context'
import { auditTarget, recordAudit } from '@/lib/audit/record'
import { parseSourceConfig, resolveConnector } from '@/lib/connectors/registry'
import { db } from '@/lib/db'
import { ConflictError, NotFoundError, ValidationError } from '@/lib/errors'
import { enqueueFindingsRecompute } from '@/lib/findings/jobs'
import { settleFindings } from '@/lib/findings/recompute'
import { enqueueJob } from '@/lib/jobs/queue'
import { importFileJob, syncSourceJob } from '@/lib/sources/jobs'
import {
  FORMAT_INFO,
  sourceEnvironmentOf,
  type CreateImportSourceInput,
  type RequestSyncInput,
  type StartImportInput,
  type UpdateScheduleInput,
  type UpdateSourceEnvironmentInput,
} from '@/lib/sources/schemas'
import { findImportSource, importRefusal } from '@/lib/sources/queries'
import { readUploadMeta } from '@/lib/sources/uploads'

export async function createImportSource(ctx: UserCtx, input: CreateImportSourceInput) {
  assertCan(ctx, 'source:manage')
  const info = FORMAT_INFO[input.format]
  return db.$transaction(async (tx) => {
    const clash = await tx.source.findFirst({ where: { orgId: ctx.org.id, name: input.name }, select: { id: true } })
    if (clash) throw new ConflictError(`A source named “${input.name}” already exists.`)
    const source = await tx.source.create({
      data: { orgId: ctx.org.id, name: input.name, type: info.sourceType, config: JSON.stringify({ importFormat: input.format }) },
      select: { id: true, name: true, type: true },
    })
    await recordAudit(tx, ctx, { action: 'source.create', ...auditTarget('source', source), details: { type: source.type, importFormat: input.format } })
    return source
  })
}

/** "Sync now": one sync job per source at a time (a second click while one waits returns the same job). */
export async function requestSync(ctx: UserCtx, input: RequestSyncInput) {
  assertCan(ctx, 'source:manage')
  const source = await db.source.findFirst({ where: { id: input.sourceId, orgId: ctx.org.id } })
  if (!source) throw new NotFoundError('Source not found')
  if (resolveConnector(source).mode !== 'live') {
    throw new ValidationError(`“${source.name}” has no live connection to sync from: import a file into it instead.`)
  }
  return db.$transaction(async (tx) => {
    const waiting = await tx.job.findFirst({
      where: {
        orgId: ctx.org.id,
        type: syncSourceJob.type,
        status: { in: ['queued', 'running', 'retrying'] },
        payload: { contains: `"sourceId":"${source.id}"` },
      },
    })
    if (waiting) return waiting
    const job = await enqueueJob(tx, syncSourceJob, { sourceId: source.id, trigger: 'manual' }, { orgId: ctx.org.id, createdById: ctx.user.id })
    await recordAudit(tx, ctx, { action: 'source.sync-request', ...auditTarget('source', source), details: { jobId: job.id } })
    return job
  })
}

export async function updateSchedule(ctx: UserCtx, input: UpdateScheduleInput) {
  assertCan(ctx, 'source:manage')
  return db.$transaction(async (tx) => {
    const source = await tx.source.findFirst({ where: { id: input.sourceId, orgId: ctx.org.id }, select: { id: true, name: true, syncSchedule: true } })
    if (!source) throw new NotFoundError('Source not found')
    await tx.source.update({ where: { id: source.id, orgId: ctx.org.id }, data: { syncSchedule: input.schedule } })
    await recordAudit(tx, ctx, { action: 'source.schedule', ...auditTarget('source', source), details: { from: source.syncSchedule, to: input.schedule } })
  })
}

/** Findings of this many re-labelled identities are settled in the change itself; more go to a recompute job. */
const SETTLE_LIMIT = 5_000

/**
 * Sets the environment a source gives the identities it does not label: now to its identities whose environment is
 * unknown (deleted ones keep their history), and on every later import or sync. 'unknown' removes the setting.
 */
export async function updateSourceEnvironment(ctx: UserCtx, input: UpdateSourceEnvironmentInput) {
  assertCan(ctx, 'source:manage')
  return db.$transaction(async (tx) => {
    const source = await tx.source.findFirst({ where: { id: input.sourceId, orgId: ctx.org.id }, select: { id: true, name: true, config: true } })
    if (!source) throw new NotFoundError('Source not found')
    const config = parseSourceConfig(source.config)
    const from = sourceEnvironmentOf(config)
    const to = input.environment === 'unknown' ? null : input.environment
    const { defaultEnvironment: _, ...rest } = config
    await tx.source.update({ where: { id: source.id, orgId: ctx.org.id }, data: { config: JSON.stringify(to ? { ...rest, defaultEnvironment: to } : rest) } })
    let updated = 0
    if (to) {
      const where = { orgId: ctx.org.id, sourceId: source.id, environment: 'unknown', status: { not: 'deleted' } }
      const ids = (await tx.identity.findMany({ where, select: { id: true }, take: SETTLE_LIMIT + 1 })).map((r) => r.id)
      updated = (await tx.identity.updateMany({ where, data: { environment: to } })).count
      // Severities follow the environment (an unowned production identity is high): settle them now, or queue a recompute.
      if (ids.length <= SETTLE_LIMIT) await settleFindings(tx, ctx.org.id, ids, { sharedSecrets: true })
      else await enqueueFindingsRecompute(tx, ctx, { reason: `environment of ${source.name}` })
    }
    await recordAudit(tx, ctx, {
      action: 'source.environment',
      ...auditTarget('source', source),
      details: { from: from ?? 'unknown', to: to ?? 'unknown', identitiesUpdated: updated },
    })
    return { updated }
  })
}

/** Queues the import of an uploaded file (checked against this organization) as a job with progress. */
export async function startImport(ctx: UserCtx, input: StartImportInput) {
  assertCan(ctx, 'source:manage')
  const upload = await readUploadMeta(ctx, input.uploadId)
  if (!upload) throw new NotFoundError('That upload is gone or belongs elsewhere: upload the file again.')
  const source = await findImportSource(ctx, upload.sourceId)
  if (!source) throw new NotFoundError('Source not found')
  const refusal = importRefusal(source, upload.format)
  if (refusal) throw new ValidationError(refusal)
  if (!upload.previewedAt) throw new ValidationError('The file is still being checked: wait for its preview, then import.')
  return db.$transaction(async (tx) => {
    const job = await enqueueJob(
      tx,
      importFileJob,
      { uploadId: upload.id, sourceId: source.id, fileName: upload.fileName, allOrNothing: input.allOrNothing, mode: input.mode },
      { orgId: ctx.org.id, total: upload.rows, createdById: ctx.user.id },
    )
    await recordAudit(tx, ctx, {
      action: 'source.import',
      targetType: 'source',
      targetId: source.id,
      targetLabel: source.name,
      details: {
        jobId: job.id,
        format: upload.format,
        fileName: upload.fileName,
        bytes: upload.bytes,
        rows: upload.rows,
        errors: upload.errors,
        allOrNothing: input.allOrNothing,
        mode: input.mode,
      },
    })
    return job
  })
}
