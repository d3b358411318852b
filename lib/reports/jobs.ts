import 'server-only'
import { z } from 'zod'
import { db } from '@/lib/db'
import { defineJob, defineScheduler, PermanentJobError, recordId } from '@/lib/jobs/define'
import type { ReportExport } from '@/lib/generated/sqlite/client'
import type { SystemCtx } from '@/lib/auth/org-context'
import { AppError } from '@/lib/errors'
import { getReportCampaignOrThrow, summarizeCampaign } from './campaign-evidence'
import { exportSource, unsafeRemoveExpiredExports, writeExportFile, writeFileExport, type StoredParams } from './export-files'
import { PDF_FAILED, renderPdf, writeEvidencePack, type PackProgress } from './evidence-pack'

/** The message a person sees on a failed export (the cause goes to the server log, never to the page). */
export const EXPORT_FAILED = 'The export failed before it was complete, so there is no file. Start it again, or use the streamed download.'

/** The message of a failed evidence pack or PDF export: no file is kept, and what to do next. */
export const PACK_FAILED = 'The evidence pack failed before it was complete, so there is no file. Start it again.'
export const PACK_PDF_FAILED =
  'The campaign’s PDF could not be made, so the evidence pack was not made and there is no file. Start it again, or export the campaign evidence CSV on its own.'
export const PDF_EXPORT_FAILED = 'The PDF could not be made, so there is no file. Start it again, or export the CSV, which holds the same evidence.'

/** Test seam: the source an export is written from, replaced by a failing one to prove a failure leaves no file. */
export const exportSources = { of: exportSource }

/**
 * Writes one export to its file: the same generator as the streamed download, a page at a time, its records counted
 * into the export and the job's progress. A failure marks the export failed (no file) and fails the job for good.
 */
export const reportExportJob = defineJob({
  type: 'report_export',
  // Its own lane: a pack or a five-million-row export must not hold up the interactive lane's revocations.
  lane: 'reports',
  payload: z.object({ exportId: recordId }),
  key: (p) => `report_export:${p.exportId}`,
  maxAttempts: 1,
  permissions: ['report:export', 'audit:read'],
  run: async ({ ctx, payload, progress }) => {
    const e = await db.reportExport.findFirst({ where: { id: payload.exportId, orgId: ctx.org.id } })
    if (!e) return { skipped: 'export deleted' }
    if (e.status !== 'queued') return { skipped: `export is ${e.status}` }
    await db.reportExport.update({ where: { id: e.id, orgId: ctx.org.id }, data: { status: 'running' } })
    if (e.format === 'zip' || e.format === 'pdf') return runFileExport(ctx, e, progress)
    try {
      const source = await exportSources.of(ctx, e)
      const done = await writeExportFile(e, source, async (rows) => {
        await progress(rows, e.expectedRows ?? undefined)
        await db.reportExport.update({ where: { id: e.id, orgId: ctx.org.id }, data: { rows } })
      })
      await db.reportExport.update({
        where: { id: e.id, orgId: ctx.org.id },
        data: { status: 'ready', rows: done.rows, bytes: done.bytes, sha256: done.sha256, path: done.file, completedAt: new Date() },
      })
      return { rows: done.rows, bytes: done.bytes, sha256: done.sha256 }
    } catch (err) {
      console.error('report export failed', err)
      await db.reportExport.update({ where: { id: e.id, orgId: ctx.org.id }, data: { status: 'failed', error: EXPORT_FAILED, completedAt: new Date() } })
      throw new PermanentJobError(err instanceof Error ? err.message : String(err))
    }
  },
})

type Progress = (done: number, total?: number) => Promise<void>

/**
 * Writes the latest progress of a long export (and extends the job's lease) once a second, whatever the work is doing:
 * a PDF or a ZIP step can take minutes without a chunk boundary the writer could report from.
 */
function heartbeat(write: () => Promise<void>, everyMs = 1000) {
  let inFlight: Promise<void> = Promise.resolve()
  const timer = setInterval(() => {
    inFlight = inFlight.then(write).catch((err) => console.error('report export progress failed', err))
  }, everyMs)
  return {
    /** Stops the beats and waits for the one in flight, so that nothing writes after the final state. */
    stop: async () => {
      clearInterval(timer)
      await inFlight
    },
  }
}

/**
 * An evidence pack (ZIP) or a campaign PDF: made whole in a temporary file and renamed to the export's file once
 * complete. The pack's manifest (signed, with the audit chain head at generation) is the direct download's; its hash,
 * key id and chain head are kept in `detail` for the download's audit row.
 */
async function runFileExport(ctx: SystemCtx, e: ReportExport, progress: Progress) {
  const where = { id: e.id, orgId: ctx.org.id }
  const p = JSON.parse(e.params) as StoredParams
  let state: PackProgress | { items: number } = e.format === 'zip' ? { step: 0, steps: 0, file: '', rows: 0 } : { items: 0 }
  const beat = heartbeat(async () => {
    if ('step' in state) {
      await progress(state.step, state.steps)
      await db.reportExport.update({ where, data: { rows: state.rows, detail: JSON.stringify({ step: state.step, steps: state.steps, file: state.file }) } })
    } else {
      await progress(state.items, e.expectedRows ?? undefined)
      await db.reportExport.update({ where, data: { rows: state.items } })
    }
  })
  try {
    if (p.kind !== 'evidence-pack' && p.kind !== 'campaign-evidence') throw new PermanentJobError(`A ${p.kind} export is not written as a ${e.format}`)
    const c = await getReportCampaignOrThrow(ctx, p.campaignId)
    const by = await db.user.findUnique({ where: { id: e.requestedById }, select: { id: true, name: true, email: true } })
    const gen = { at: new Date(), by: { id: e.requestedById, name: by?.name ?? '', email: by?.email ?? '' } }
    let detail: Record<string, unknown> | null = null
    let rows = 0
    const done = await writeFileExport(e, async (temp) => {
      if (p.kind === 'evidence-pack') {
        const pack = await writeEvidencePack(ctx, c, p, gen, temp, (s) => (state = s))
        detail = { manifestSha256: pack.manifestSha256, kid: pack.kid, auditChainSeq: pack.auditChainSeq, generatedAt: gen.at.toISOString() }
        rows = 'rows' in state ? state.rows : 0
      } else {
        await renderPdf(ctx, c, await summarizeCampaign(ctx, c), gen, temp, (items) => (state = { items }))
        rows = 'items' in state ? state.items : 0
      }
    })
    await beat.stop()
    await db.reportExport.update({
      where,
      data: {
        status: 'ready',
        rows,
        bytes: done.bytes,
        sha256: done.sha256,
        path: done.file,
        detail: detail ? JSON.stringify(detail) : null,
        completedAt: new Date(),
      },
    })
    if ('step' in state) await progress(state.steps, state.steps)
    return { bytes: done.bytes, sha256: done.sha256, ...(detail ?? {}) }
  } catch (err) {
    await beat.stop()
    console.error('report export failed', err)
    const pdf = err instanceof AppError && err.message === PDF_FAILED
    const error = e.format === 'pdf' ? PDF_EXPORT_FAILED : pdf ? PACK_PDF_FAILED : PACK_FAILED
    await db.reportExport.update({ where, data: { status: 'failed', error, detail: null, completedAt: new Date() } })
    throw new PermanentJobError(err instanceof Error ? err.message : String(err))
  }
}

/** Expired exports (kept seven days) are deleted with their files, every minute, across organizations. */
export const reportExportsCleanupScheduler = defineScheduler({
  name: 'report-exports-cleanup',
  run: async (now) => {
    await unsafeRemoveExpiredExports(now)
  },
})
