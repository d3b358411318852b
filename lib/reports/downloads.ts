import 'server-only'
import { createReadStream } from 'node:fs'
import { mkdtemp, rm, stat } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Readable } from 'node:stream'
import { recordAudit, type AuditEntry } from '@/lib/audit/record'
import { assertCan, type UserCtx } from '@/lib/auth/org-context'
import { db } from '@/lib/db'
import type { Download } from '@/lib/route'
import { auditLogCsv, auditLogJsonl } from './audit-log'
import { campaignEvidenceCsv, getReportCampaignOrThrow, summarizeCampaign, type Generated } from './campaign-evidence'
import { renderPdf, writeEvidencePack } from './evidence-pack'
import { accessCsv, inventoryCsv } from './inventory'
import { parseRange, rangeBounds, type LooseRange } from './schemas'

export { pdfRenderer, type PackManifest } from './evidence-pack'
import { fileSafe, textStream } from './stream'

const CSV = 'text/csv; charset=utf-8'
const day = (d: Date) => d.toISOString().slice(0, 10)

const generated = (ctx: UserCtx, at = new Date()): Generated => ({ at, by: { name: ctx.user.name, email: ctx.user.email } })

/** Every download leaves its audit row before the first byte leaves: who, which report, which range or campaign. */
async function audit(ctx: UserCtx, entry: AuditEntry) {
  await db.$transaction((tx) => recordAudit(tx, ctx, entry))
}

function fileBody(path: string, cleanup: () => Promise<void>): ReadableStream<Uint8Array> {
  const node = createReadStream(path)
  node.on('close', () => void cleanup())
  return Readable.toWeb(node) as ReadableStream<Uint8Array>
}

async function tempDir() {
  return mkdtemp(join(tmpdir(), 'custodian-report-'))
}

export async function downloadInventory(ctx: UserCtx, now = new Date()): Promise<Download> {
  assertCan(ctx, 'report:export')
  await audit(ctx, {
    action: 'report.download',
    targetType: 'report',
    targetLabel: 'Inventory snapshot',
    details: { report: 'inventory', format: 'csv', asOf: now },
  })
  return { body: textStream(inventoryCsv(ctx, { now })), filename: `custodian-${fileSafe(ctx.org.slug)}-inventory-${day(now)}.csv`, contentType: CSV }
}

export async function downloadAccess(ctx: UserCtx, now = new Date()): Promise<Download> {
  assertCan(ctx, 'report:export')
  await audit(ctx, { action: 'report.download', targetType: 'report', targetLabel: 'Access report', details: { report: 'access', format: 'csv', asOf: now } })
  return { body: textStream(accessCsv(ctx)), filename: `custodian-${fileSafe(ctx.org.slug)}-access-${day(now)}.csv`, contentType: CSV }
}

export async function downloadAuditLog(ctx: UserCtx, input: LooseRange, format: 'csv' | 'jsonl'): Promise<Download> {
  assertCan(ctx, 'report:export')
  assertCan(ctx, 'audit:read')
  const today = day(new Date())
  const range = parseRange(input, { from: today, to: today })
  const bounds = rangeBounds(range)
  // The log ends where the chain stood at this moment: this download's own row and later ones are not in it.
  const head = await db.organization.findUniqueOrThrow({ where: { id: ctx.org.id }, select: { auditSeq: true } })
  await audit(ctx, {
    action: 'report.download',
    targetType: 'report',
    targetLabel: 'Audit log',
    details: { report: 'audit-log', format, from: range.from, to: range.to, throughSeq: head.auditSeq },
  })
  const source = (format === 'csv' ? auditLogCsv : auditLogJsonl)(ctx, { ...bounds, maxSeq: head.auditSeq })
  return {
    body: textStream(source),
    filename: `custodian-${fileSafe(ctx.org.slug)}-audit-log-${range.from}-to-${range.to}.${format}`,
    contentType: format === 'csv' ? CSV : 'application/x-ndjson; charset=utf-8',
  }
}

export async function downloadCampaignEvidence(ctx: UserCtx, campaignId: string, format: 'csv' | 'pdf'): Promise<Download> {
  assertCan(ctx, 'report:export')
  const c = await getReportCampaignOrThrow(ctx, campaignId)
  const gen = generated(ctx)
  const summary = await summarizeCampaign(ctx, c)
  const filename = `custodian-${fileSafe(ctx.org.slug)}-campaign-${fileSafe(c.name).slice(0, 60)}-${day(gen.at)}.${format}`
  const details = { report: 'campaign-evidence', format, campaignId: c.id, population: summary.population.count, populationSha256: summary.population.sha256 }
  if (format === 'csv') {
    await audit(ctx, { action: 'report.download', targetType: 'campaign', targetId: c.id, targetLabel: c.name, details })
    return { body: textStream(campaignEvidenceCsv(ctx, c, summary, gen)), filename, contentType: CSV }
  }
  // The PDF is rendered whole before anything is sent: a failure fails the download instead of cutting the file short.
  const dir = await tempDir()
  const cleanup = () => rm(dir, { recursive: true, force: true })
  try {
    const path = join(dir, 'evidence.pdf')
    await renderPdf(ctx, c, summary, gen, path)
    const { size } = await stat(path)
    await audit(ctx, { action: 'report.download', targetType: 'campaign', targetId: c.id, targetLabel: c.name, details: { ...details, bytes: size } })
    return { body: fileBody(path, cleanup), filename, contentType: 'application/pdf', size }
  } catch (err) {
    await cleanup()
    throw err
  }
}

/**
 * The evidence pack of a campaign, made inside the request and then streamed (the Reports page runs it as a background
 * export instead: lib/reports/jobs.ts). Kept for scheduled e-mail links and small organizations; the ZIP is the same
 * (lib/reports/evidence-pack.ts). The download's audit row, written before the first byte, carries the manifest's hash.
 */
export async function downloadEvidencePack(ctx: UserCtx, campaignId: string, input: LooseRange = {}): Promise<Download> {
  assertCan(ctx, 'report:export')
  assertCan(ctx, 'audit:read')
  const c = await getReportCampaignOrThrow(ctx, campaignId)
  const gen = generated(ctx)
  const range = parseRange(input, { from: day(c.launchedAt ?? c.createdAt), to: day(gen.at) })
  const dir = await tempDir()
  const cleanup = () => rm(dir, { recursive: true, force: true })
  try {
    const path = join(dir, 'pack.zip')
    const pack = await writeEvidencePack(ctx, c, range, { ...gen, by: { id: ctx.user.id, ...gen.by } }, path)
    await audit(ctx, {
      action: 'report.download',
      targetType: 'campaign',
      targetId: c.id,
      targetLabel: c.name,
      details: {
        report: 'evidence-pack',
        format: 'zip',
        campaignId: c.id,
        from: range.from,
        to: range.to,
        manifestSha256: pack.manifestSha256,
        kid: pack.kid,
        auditChainSeq: pack.auditChainSeq,
      },
    })
    return { body: fileBody(path, cleanup), filename: `${pack.folder}.zip`, contentType: 'application/zip', size: pack.bytes }
  } catch (err) {
    await cleanup()
    throw err
  }
}
