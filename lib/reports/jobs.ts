import 'server-only'
import { z } from 'zod'
import { db } from '@/lib/db'
import { defineJob, defineScheduler, PermanentJobError, recordId } from '@/lib/jobs/define'
import { exportSource, unsafeRemoveExpiredExports, writeExportFile } from './export-files'

/** The message a person sees on a failed export (the cause goes to the server log, never to the page). */
export const EXPORT_FAILED = 'The export failed before it was complete, so there is no file. Start it again, or use the streamed download.'

/** Test seam: the source an export is written from, replaced by a failing one to prove a failure leaves no file. */
export const exportSources = { of: exportSource }

/**
 * Writes one export to its file: the same generator as the streamed download, a page at a time, its records counted
 * into the export and the job's progress. A failure marks the export failed (no file) and fails the job for good.
 */
export const reportExportJob = defineJob({
  type: 'report_export',
  payload: z.object({ exportId: recordId }),
  key: (p) => `report_export:${p.exportId}`,
  maxAttempts: 1,
  permissions: ['report:export', 'audit:read'],
  run: async ({ ctx, payload, progress }) => {
    const e = await db.reportExport.findFirst({ where: { id: payload.exportId, orgId: ctx.org.id } })
    if (!e) return { skipped: 'export deleted' }
    if (e.status !== 'queued') return { skipped: `export is ${e.status}` }
    await db.reportExport.update({ where: { id: e.id, orgId: ctx.org.id }, data: { status: 'running' } })
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

/** Expired exports (kept seven days) are deleted with their files, every minute, across organizations. */
export const reportExportsCleanupScheduler = defineScheduler({
  name: 'report-exports-cleanup',
  run: async (now) => {
    await unsafeRemoveExpiredExports(now)
  },
})
