import 'server-only'
import type { ActorRef } from '@/lib/auth/org-context'
import { readImportFile } from '@/lib/connectors/import/formats'
import { ImportFormatError } from '@/lib/connectors/import/pages'
import { connectorContext, resolveConnector } from '@/lib/connectors/registry'
import { applyDiscovery, recordSyncFailure, type SyncResult } from '@/lib/connectors/sync'
import { db } from '@/lib/db'
import { enqueueFindingsRecompute } from '@/lib/findings/jobs'
import { enqueueLegacyJob } from '@/lib/jobs/queue'
import { PermanentJobError, registerJobHandler, registerScheduler } from '@/lib/jobs/legacy'
import { IMPORT_JOB, PREVIEW_JOB, SYNC_JOB } from '@/lib/sources/mutations'
import { memberEmails, previewImport } from '@/lib/sources/preview'
import { importRefusal } from '@/lib/sources/queries'
import { IMPORT_FORMATS, scheduleMs, type ImportFormat } from '@/lib/sources/schemas'
import { readUploadMeta, removeStaleUploads, removeUpload, uploadFile, writeUploadMeta, type UploadMeta } from '@/lib/sources/uploads'

async function actorOf(userId: string | null): Promise<ActorRef | undefined> {
  if (!userId) return undefined
  const u = await db.user.findUnique({ where: { id: userId }, select: { id: true, email: true } })
  return u ? { type: 'user', id: u.id, label: u.email } : undefined
}

function resultOf(r: SyncResult) {
  return {
    applied: r.applied, added: r.added, changed: r.changed, gone: r.gone, unchanged: r.unchanged, errors: r.errors,
    credentials: r.credentials, grants: r.grants, goneSkipped: r.goneSkipped, errorSamples: r.errorSamples.slice(0, 50),
    skipped: r.skipped, skippedSamples: r.skippedSamples.slice(0, 50), ownersUnmatched: r.ownersUnmatched, ownersUnmatchedSamples: r.ownersUnmatchedSamples,
  }
}

registerJobHandler(SYNC_JOB, async ({ job, payload, progress }) => {
  const sourceId = String(payload.sourceId ?? '')
  const source = job.orgId ? await db.source.findFirst({ where: { id: sourceId, orgId: job.orgId } }) : null
  if (!source || !job.orgId) throw new PermanentJobError('The source no longer exists')
  const { connector, mode, config } = resolveConnector(source)
  if (mode !== 'live') throw new PermanentJobError(`“${source.name}” has no live connection to sync from (import a file instead).`)
  const orgId = job.orgId
  const actor = await actorOf(job.createdById)
  try {
    const result = await applyDiscovery(orgId, source.id, connector.discover(connectorContext(source, config)), {
      mode: 'full',
      actor,
      details: { trigger: payload.trigger ?? 'schedule', jobId: job.id },
      onProgress: (p) => progress(p.processed),
      onCommit: async (tx) => {
        await enqueueFindingsRecompute(tx, orgId, { reason: `sync of ${source.name}` })
      },
    })
    return resultOf(result)
  } catch (err) {
    // applyDiscovery recorded the failure on the source; the job says why in words a person can act on.
    throw new Error(`Could not sync “${source.name}”: ${err instanceof Error ? err.message : String(err)}`)
  }
})

/** The upload of a job and the import source it goes into, both re-checked: the source may have changed since. */
async function uploadAndSource(orgId: string, payload: Record<string, unknown>): Promise<{ upload: UploadMeta; source: { id: string; name: string } }> {
  const upload = await readUploadMeta(String(payload.uploadId ?? ''), orgId)
  if (!upload) throw new PermanentJobError('The uploaded file is gone: upload it again.')
  if (!IMPORT_FORMATS.includes(upload.format)) throw new PermanentJobError('Unknown import format')
  const source = await db.source.findFirst({ where: { id: upload.sourceId, orgId }, select: { id: true, name: true, type: true, config: true, secretRef: true } })
  if (!source) throw new PermanentJobError('The source no longer exists')
  // Never into a live or demo source: a complete-inventory import would mark its real identities deleted.
  const refusal = importRefusal(source, upload.format)
  if (refusal) throw new PermanentJobError(refusal)
  return { upload, source: { id: source.id, name: source.name } }
}

registerJobHandler(PREVIEW_JOB, async ({ job, payload, progress }) => {
  if (!job.orgId) throw new PermanentJobError('preview_import needs an organization')
  const { upload } = await uploadAndSource(job.orgId, payload)
  try {
    const preview = await previewImport(upload.format, uploadFile(upload.id), { onProgress: (bytes) => progress(bytes), members: await memberEmails(job.orgId) })
    await writeUploadMeta({ ...upload, rows: preview.identities + preview.credentials + preview.grants, errors: preview.errorCount, previewedAt: new Date().toISOString() })
    await progress(upload.bytes)
    return { uploadId: upload.id, fileName: upload.fileName, bytes: upload.bytes, preview }
  } catch (err) {
    // A file in the wrong shape (or over a limit) never becomes right by retrying: say why and drop it.
    if (err instanceof ImportFormatError) {
      await removeUpload(upload.id)
      throw new PermanentJobError(err.message)
    }
    throw err
  }
})

registerJobHandler(IMPORT_JOB, async ({ job, payload, progress }) => {
  if (!job.orgId) throw new PermanentJobError('import_file needs an organization')
  const orgId = job.orgId
  const { upload, source } = await uploadAndSource(orgId, payload)
  const format: ImportFormat = upload.format
  const allOrNothing = payload.allOrNothing === true
  const mode = payload.mode === 'full' ? 'full' : 'partial'
  const actor = await actorOf(job.createdById)
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
        if (err instanceof ImportFormatError) await recordSyncFailure(orgId, source.id, source.name, err.message, { actor, details, mode })
        throw err
      }
      if (errors) {
        const reason = `${errors} row${errors === 1 ? '' : 's'} could not be read (line${lines.length === 1 ? '' : 's'} ${lines.join(', ')}${errors > lines.length ? ', …' : ''}); nothing was imported (all-or-nothing).`
        await recordSyncFailure(orgId, source.id, source.name, reason, { actor, details, mode }, { errors })
        throw new PermanentJobError(reason)
      }
    }
    const result = await applyDiscovery(orgId, source.id, readImportFile(format, file), {
      mode,
      allOrNothing,
      actor,
      details,
      onProgress: (p) => progress(p.processed),
      onCommit: async (tx) => {
        await enqueueFindingsRecompute(tx, orgId, { reason: `import into ${source.name}`, createdById: job.createdById })
      },
    })
    if (!result.applied) throw new PermanentJobError(`${result.errors} rows could not be read; nothing was imported (all-or-nothing).`)
    await removeUpload(upload.id)
    return resultOf(result)
  } catch (err) {
    // The wrong format never becomes right by retrying (applyDiscovery has recorded the failure on the source).
    if (err instanceof ImportFormatError) throw new PermanentJobError(err.message)
    throw err
  }
})

/** Sources with a schedule get one sync per period (the idempotency key names the period). */
export async function enqueueScheduledSyncs(now: Date) {
  const sources = await db.source.findMany({ where: { syncSchedule: { not: null }, status: { not: 'paused' } } })
  for (const s of sources) {
    const every = scheduleMs(s.syncSchedule)
    if (!every || resolveConnector(s).mode !== 'live') continue
    const period = Math.floor(now.getTime() / every)
    await db.$transaction((tx) =>
      enqueueLegacyJob(tx, { orgId: s.orgId, type: SYNC_JOB, payload: { sourceId: s.id, trigger: 'schedule' }, idempotencyKey: `${SYNC_JOB}:${s.id}:${every}:${period}`, runAt: now, maxAttempts: 3 }),
    )
  }
}
registerScheduler('source-sync-schedule', enqueueScheduledSyncs)
registerScheduler('import-uploads-cleanup', async (now) => {
  await removeStaleUploads(now.getTime())
})
