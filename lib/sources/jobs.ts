import 'server-only'
import { z } from 'zod'
import type { SystemCtx } from '@/lib/auth/org-context'
import { readImportFile } from '@/lib/connectors/import/formats'
import { ImportFormatError } from '@/lib/connectors/import/pages'
import { connectorContext, resolveConnector } from '@/lib/connectors/registry'
import { applyDiscovery, recordSyncFailure, syncCounts, type SyncResult } from '@/lib/connectors/sync'
import { db } from '@/lib/db'
import { enqueueFindingsRecompute } from '@/lib/findings/jobs'
import { defineJob, defineScheduler, PermanentJobError, recordId } from '@/lib/jobs/define'
import { enqueueJob } from '@/lib/jobs/queue'
import { auditActorOf } from '@/lib/jobs/requester'
import { memberEmails, previewImport } from '@/lib/sources/preview'
import { findImportSource, importRefusal } from '@/lib/sources/queries'
import { IMPORT_FORMATS, scheduleMs, type ImportFormat } from '@/lib/sources/schemas'
import { readUploadMeta, unsafeRemoveStaleUploads, unsafeRemoveUpload, uploadFile, writeUploadMeta, type UploadMeta } from '@/lib/sources/uploads'

function resultOf(r: SyncResult) {
  return {
    applied: r.applied,
    ...syncCounts(r),
    errorSamples: r.errorSamples.slice(0, 50),
    skippedSamples: r.skippedSamples.slice(0, 50),
    ownersUnmatchedSamples: r.ownersUnmatchedSamples,
  }
}

export const syncSourceJob = defineJob({
  type: 'sync_source',
  // `period`: the schedule's period (one sync per period); without it, each request is its own job
  payload: z.object({ sourceId: recordId, trigger: z.enum(['manual', 'schedule']).optional(), period: z.string().max(40).optional() }),
  key: (p) => `sync_source:${p.sourceId}:${p.period ?? `manual:${Date.now()}`}`,
  maxAttempts: 3,
  run: async ({ ctx, job, payload, progress }) => {
    const orgId = ctx.org.id
    const source = await db.source.findFirst({ where: { id: payload.sourceId, orgId } })
    if (!source) throw new PermanentJobError('The source no longer exists')
    const { connector, mode, config } = resolveConnector(source)
    if (mode !== 'live') throw new PermanentJobError(`“${source.name}” has no live connection to sync from (import a file instead).`)
    try {
      const result = await applyDiscovery(await auditActorOf(ctx, job), source.id, connector.discover(connectorContext(source, config)), {
        mode: 'full',
        details: { trigger: payload.trigger ?? 'schedule', jobId: job.id },
        onProgress: (p) => progress(p.processed),
        onCommit: async (tx) => {
          await enqueueFindingsRecompute(tx, ctx, { reason: `sync of ${source.name}` })
        },
      })
      return resultOf(result)
    } catch (err) {
      // applyDiscovery recorded the failure on the source; the job says why in words a person can act on.
      throw new Error(`Could not sync “${source.name}”: ${err instanceof Error ? err.message : String(err)}`)
    }
  },
})

/** The upload of a job and the import source it goes into, both re-checked: the source may have changed since. */
async function uploadAndSource(ctx: SystemCtx, uploadId: string): Promise<{ upload: UploadMeta; source: { id: string; name: string } }> {
  const upload = await readUploadMeta(ctx, uploadId)
  if (!upload) throw new PermanentJobError('The uploaded file is gone: upload it again.')
  if (!IMPORT_FORMATS.includes(upload.format)) throw new PermanentJobError('Unknown import format')
  const source = await findImportSource(ctx, upload.sourceId)
  if (!source) throw new PermanentJobError('The source no longer exists')
  // Never into a live or demo source: a complete-inventory import would mark its real identities deleted.
  const refusal = importRefusal(source, upload.format)
  if (refusal) throw new PermanentJobError(refusal)
  return { upload, source: { id: source.id, name: source.name } }
}

/** Reads an uploaded file in the worker (never in the web process) and records what an import would do. */
export const previewImportJob = defineJob({
  type: 'preview_import',
  payload: z.object({ uploadId: recordId, sourceId: recordId, fileName: z.string().max(200) }),
  key: (p) => `preview_import:${p.uploadId}`,
  maxAttempts: 2,
  run: async ({ ctx, payload, progress }) => {
    const { upload } = await uploadAndSource(ctx, payload.uploadId)
    try {
      const preview = await previewImport(upload.format, uploadFile(upload.id), {
        onProgress: (bytes) => progress(bytes),
        members: await memberEmails(ctx),
      })
      await writeUploadMeta({
        ...upload,
        rows: preview.identities + preview.credentials + preview.grants,
        errors: preview.errorCount,
        previewedAt: new Date().toISOString(),
      })
      await progress(upload.bytes)
      return { uploadId: upload.id, fileName: upload.fileName, bytes: upload.bytes, preview }
    } catch (err) {
      // A file in the wrong shape (or over a limit) never becomes right by retrying: say why and drop it.
      if (err instanceof ImportFormatError) {
        await unsafeRemoveUpload(upload.id)
        throw new PermanentJobError(err.message)
      }
      throw err
    }
  },
})

export const importFileJob = defineJob({
  type: 'import_file',
  payload: z.object({
    uploadId: recordId,
    sourceId: recordId,
    fileName: z.string().max(200).optional(),
    allOrNothing: z.boolean().default(false),
    mode: z.enum(['full', 'partial']).default('partial'),
  }),
  // One import per upload: a double click does not import twice.
  key: (p) => `import_file:${p.uploadId}`,
  maxAttempts: 3,
  run: async ({ ctx, job, payload, progress }) => {
    const { upload, source } = await uploadAndSource(ctx, payload.uploadId)
    const format: ImportFormat = upload.format
    const { allOrNothing, mode } = payload
    const actx = await auditActorOf(ctx, job)
    const details = { jobId: job.id, fileName: upload.fileName, format }
    const file = uploadFile(upload.id)
    try {
      if (allOrNothing) {
        // Read the whole file first: a file with unreadable rows is refused before anything is written.
        let errors = 0
        const lines: number[] = []
        try {
          for await (const page of readImportFile(format, file)) {
            for (const e of page.errors ?? []) {
              errors++
              if (e.line && lines.length < 10) lines.push(e.line)
            }
          }
        } catch (err) {
          if (err instanceof ImportFormatError) await recordSyncFailure(actx, source.id, source.name, err.message, { details, mode })
          throw err
        }
        if (errors) {
          const reason = `${errors} row${errors === 1 ? '' : 's'} could not be read (line${lines.length === 1 ? '' : 's'} ${lines.join(', ')}${errors > lines.length ? ', …' : ''}); nothing was imported (all-or-nothing).`
          await recordSyncFailure(actx, source.id, source.name, reason, { details, mode }, { errors })
          throw new PermanentJobError(reason)
        }
      }
      const result = await applyDiscovery(actx, source.id, readImportFile(format, file), {
        mode,
        allOrNothing,
        details,
        onProgress: (p) => progress(p.processed),
        onCommit: async (tx) => {
          await enqueueFindingsRecompute(tx, ctx, { reason: `import into ${source.name}`, createdById: job.createdById })
        },
      })
      if (!result.applied) throw new PermanentJobError(`${result.errors} rows could not be read; nothing was imported (all-or-nothing).`)
      await unsafeRemoveUpload(upload.id)
      return resultOf(result)
    } catch (err) {
      // The wrong format never becomes right by retrying (applyDiscovery has recorded the failure on the source).
      if (err instanceof ImportFormatError) throw new PermanentJobError(err.message)
      throw err
    }
  },
})

/** Sources with a schedule get one sync per period (the payload, and so the key, names the period). */
export const sourceSyncScheduler = defineScheduler({
  name: 'source-sync-schedule',
  run: async (now) => {
    const sources = await db.source.findMany({ where: { syncSchedule: { not: null }, status: { not: 'paused' } } })
    for (const s of sources) {
      const every = scheduleMs(s.syncSchedule)
      if (!every || resolveConnector(s).mode !== 'live') continue
      const period = `${every}:${Math.floor(now.getTime() / every)}`
      await db.$transaction((tx) => enqueueJob(tx, syncSourceJob, { sourceId: s.id, trigger: 'schedule', period }, { orgId: s.orgId, runAt: now }))
    }
  },
})

/** Uploads nobody imported are removed after a day (files on disk, across organizations). */
export const uploadsCleanupScheduler = defineScheduler({
  name: 'import-uploads-cleanup',
  run: async (now) => {
    await unsafeRemoveStaleUploads(now.getTime())
  },
})
