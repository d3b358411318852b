import 'server-only'
import fs from 'node:fs'
import { Readable } from 'node:stream'
import { recordAudit } from '@/lib/audit/record'
import { assertCan, type Ctx, type PersonCtx, type UserCtx } from '@/lib/auth/org-context'
import { db, type Tx } from '@/lib/db'
import { NotFoundError } from '@/lib/errors'
import { enqueueJob } from '@/lib/jobs/queue'
import type { Download } from '@/lib/route'
import { getReportCampaignOrThrow } from './campaign-evidence'
import { packFolder } from './evidence-pack'
import { EXPORT_DAYS, EXPORT_LABELS, exportFile, type StoredParams } from './export-files'
import { reportExportJob } from './jobs'
import { parseRange, type ExportKind, type ExportParams } from './schemas'
import { fileSafe } from './stream'

const DAY = 86_400_000
const day = (d: Date) => d.toISOString().slice(0, 10)
const CONTENT_TYPES: Record<string, string> = {
  csv: 'text/csv; charset=utf-8',
  jsonl: 'application/x-ndjson; charset=utf-8',
  pdf: 'application/pdf',
  zip: 'application/zip',
}

/**
 * Starts a report as a background job for the person: the parameters are checked and resolved now (as the streamed
 * download does), the export row, its job and the audit row are written in one transaction.
 */
export async function startExport(ctx: PersonCtx, params: ExportParams, now = new Date()) {
  return prepareExport(ctx, params, { requestedById: ctx.user.id, now })
}

/**
 * startExport for anyone with report:export, the system included (a scheduled evidence pack): the export is made in the
 * name of `requestedById`; `inTransaction` runs in the export's own transaction (what the caller queues next).
 */
export async function prepareExport(
  ctx: Ctx,
  params: ExportParams,
  opts: { requestedById: string; now?: Date; inTransaction?: (tx: Tx, exportId: string) => Promise<void> },
) {
  const now = opts.now ?? new Date()
  assertCan(ctx, 'report:export')
  let stored: StoredParams
  let format = 'csv'
  let expectedRows: number | null = null
  let label: string = EXPORT_LABELS[params.kind]
  let suffix = day(now)
  let filename: string | undefined
  if (params.kind === 'audit-log') {
    assertCan(ctx, 'audit:read')
    const range = parseRange(params, { from: day(now), to: day(now) })
    const head = await db.organization.findUniqueOrThrow({ where: { id: ctx.org.id }, select: { auditSeq: true } })
    stored = { kind: 'audit-log', from: range.from, to: range.to, throughSeq: head.auditSeq }
    format = params.format
    suffix = `${range.from}-to-${range.to}`
    const events = await db.auditEvent.count({
      where: {
        orgId: ctx.org.id,
        at: { gte: new Date(`${range.from}T00:00:00Z`), lt: new Date(Date.parse(`${range.to}T00:00:00Z`) + DAY) },
        seq: { lte: head.auditSeq },
      },
    })
    expectedRows = events + (format === 'csv' ? 1 : 0)
  } else if (params.kind === 'campaign-evidence') {
    const c = await getReportCampaignOrThrow(ctx, params.campaign)
    stored = { kind: 'campaign-evidence', campaignId: c.id }
    format = params.format ?? 'csv'
    label = `${label}: ${c.name}`
    suffix = `${fileSafe(c.name).slice(0, 60)}-${day(now)}`
    // The PDF's progress counts the items drawn.
    if (format === 'pdf') expectedRows = c.itemCount
  } else if (params.kind === 'evidence-pack') {
    // The same checks and defaults as the direct download: the audit log from the campaign's launch day to today.
    assertCan(ctx, 'audit:read')
    const c = await getReportCampaignOrThrow(ctx, params.campaign)
    const range = parseRange(params, { from: day(c.launchedAt ?? c.createdAt), to: day(now) })
    stored = { kind: 'evidence-pack', campaignId: c.id, from: range.from, to: range.to }
    format = 'zip'
    label = `${label}: ${c.name}`
    filename = `${packFolder(ctx.org, c, now)}.zip`
  } else {
    stored = { kind: params.kind }
    // A header line and one line per identity: the inventory's records, known cheaply from the (orgId) index.
    if (params.kind === 'inventory') expectedRows = (await db.identity.count({ where: { orgId: ctx.org.id } })) + 1
  }
  filename ??= `custodian-${fileSafe(ctx.org.slug)}-${params.kind}-${suffix}.${format}`
  return db.$transaction(async (tx) => {
    const e = await tx.reportExport.create({
      data: {
        orgId: ctx.org.id,
        kind: params.kind,
        format,
        params: JSON.stringify(stored),
        requestedById: opts.requestedById,
        expectedRows,
        filename,
        createdAt: now,
        expiresAt: new Date(now.getTime() + EXPORT_DAYS * DAY),
      },
    })
    const job = await enqueueJob(tx, reportExportJob, { exportId: e.id }, { orgId: ctx.org.id, createdById: opts.requestedById, total: expectedRows ?? 0 })
    await tx.reportExport.update({ where: { id: e.id, orgId: ctx.org.id }, data: { jobId: job.id } })
    await recordAudit(tx, ctx, {
      action: 'report.export',
      targetType: 'report-export',
      targetId: e.id,
      targetLabel: label,
      details: { report: params.kind, format, ...stored },
    })
    await opts.inTransaction?.(tx, e.id)
    return { id: e.id }
  })
}

/** The person's own exports of this organization that have not expired, newest first. */
export async function listMyExports(ctx: UserCtx, now = new Date()) {
  assertCan(ctx, 'report:export')
  const rows = await db.reportExport.findMany({
    where: { orgId: ctx.org.id, requestedById: ctx.user.id, expiresAt: { gt: now } },
    orderBy: [{ createdAt: 'desc' }, { id: 'desc' }],
    take: 20,
  })
  return rows.map((e) => {
    const detail = parseDetail(e.detail)
    return {
      id: e.id,
      kind: e.kind as ExportKind,
      label: (EXPORT_LABELS[e.kind as ExportKind] ?? e.kind) + (e.format === 'pdf' ? ' (PDF)' : ''),
      format: e.format,
      filename: e.filename,
      status: e.status,
      rows: e.rows,
      expectedRows: e.expectedRows,
      bytes: e.bytes,
      sha256: e.sha256,
      error: e.error,
      createdAt: e.createdAt.toISOString(),
      completedAt: e.completedAt?.toISOString() ?? null,
      expiresAt: e.expiresAt.toISOString(),
      /** a pack being written: the file it is on (step of steps) */
      stage: e.status === 'running' && typeof detail.step === 'number' ? { step: detail.step, steps: Number(detail.steps), file: String(detail.file) } : null,
      /** a finished pack: the SHA-256 of its signed manifest */
      manifestSha256: e.status === 'ready' && typeof detail.manifestSha256 === 'string' ? detail.manifestSha256 : null,
    }
  })
}

function parseDetail(text: string | null): Record<string, unknown> {
  if (!text) return {}
  try {
    return JSON.parse(text) as Record<string, unknown>
  } catch {
    return {}
  }
}
export type ExportRow = Awaited<ReturnType<typeof listMyExports>>[number]

/** One export of the organization as it stands (queued, running, ready, failed), for whoever may export reports. */
export async function getExport(ctx: Ctx, id: string) {
  assertCan(ctx, 'report:export')
  const e = await db.reportExport.findFirst({ where: { id, orgId: ctx.org.id } })
  if (!e) throw new NotFoundError('Export not found')
  return e
}

/**
 * A finished export's file, for anyone of the organization who may export reports. Only a complete file is served: the
 * export must be ready, unexpired, and its file on disk the size recorded. The download is audited with its SHA-256.
 */
export async function downloadExport(ctx: Ctx, id: string, now = new Date()): Promise<Download> {
  assertCan(ctx, 'report:export')
  return db.$transaction(async (tx) => {
    const e = await tx.reportExport.findFirst({ where: { id, orgId: ctx.org.id, status: 'ready', expiresAt: { gt: now } } })
    if (!e || !e.path || e.bytes === null || !e.sha256) throw new NotFoundError('This export is not ready, has expired, or does not exist.')
    // The audit log, alone or in a pack, is read with audit:read, as when it was started (a token may lack it).
    if (e.kind === 'audit-log' || e.kind === 'evidence-pack') assertCan(ctx, 'audit:read')
    const file = exportFile(e)
    const stat = await fs.promises.stat(file).catch(() => null)
    if (!stat || stat.size !== e.bytes) throw new NotFoundError('This export’s file is no longer available: start the export again.')
    // Opened before the audit row is written: the bytes served are the file just checked, even if it is removed later.
    const handle = await fs.promises.open(file, 'r')
    try {
      await recordAudit(tx, ctx, {
        action: 'report.download',
        targetType: 'report-export',
        targetId: e.id,
        targetLabel: EXPORT_LABELS[e.kind as ExportKind] ?? e.kind,
        // A pack's row also names its manifest (hash, signing key, audit chain head), as the direct download's does.
        details: {
          report: e.kind,
          format: e.format,
          exportId: e.id,
          bytes: e.bytes,
          sha256: e.sha256,
          ...(JSON.parse(e.params) as object),
          ...parseDetail(e.detail),
        },
      })
    } catch (err) {
      await handle.close()
      throw err
    }
    const body = Readable.toWeb(handle.createReadStream()) as ReadableStream<Uint8Array>
    return { body, filename: e.filename, contentType: CONTENT_TYPES[e.format] ?? 'application/octet-stream', size: e.bytes }
  })
}
