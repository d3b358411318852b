import 'server-only'
import { createHash, randomBytes } from 'node:crypto'
import { once } from 'node:events'
import fs from 'node:fs'
import path from 'node:path'
import { db } from '@/lib/db'
import type { ReportExport } from '@/lib/generated/sqlite/client'
import { auditLogCsv, auditLogJsonl } from './audit-log'
import { campaignEvidenceCsv, getReportCampaignOrThrow, summarizeCampaign } from './campaign-evidence'
import { accessCsv, inventoryCsv } from './inventory'
import { rangeBounds, type ExportKind } from './schemas'
import { chunkBytes, type TextSource } from './stream'

// Finished exports live under data/exports/ as <export id>.<format>; a run writes <id>.<random>.part and renames it
// when the last byte is written, so a file under its final name is always complete. Every read checks the org first.

export const EXPORT_DAYS = 7
export const exportDir = () => path.join(process.cwd(), 'data', 'exports')
const finalName = (e: Pick<ReportExport, 'id' | 'format'>) => `${e.id}.${e.format}`
/** The file of a finished export (the name is derived from its id, never taken from input). */
export const exportFile = (e: Pick<ReportExport, 'id' | 'format'>) => path.join(exportDir(), finalName(e))

/** The parameters an export was started with, resolved (dates as days, the audit chain's end) and stored as JSON. */
export type StoredParams =
  | { kind: 'inventory' | 'access' }
  | { kind: 'audit-log'; from: string; to: string; throughSeq: number }
  | { kind: 'campaign-evidence'; campaignId: string }
  | { kind: 'evidence-pack'; campaignId: string; from: string; to: string }

export const EXPORT_LABELS: Record<ExportKind, string> = {
  inventory: 'Inventory snapshot',
  access: 'Access report',
  'audit-log': 'Audit log',
  'campaign-evidence': 'Campaign evidence',
  'evidence-pack': 'Evidence pack',
}

type Scope = { org: { id: string; slug: string; name: string } }

/** The same generator the streamed download sends, for an export's stored parameters. */
export async function exportSource(ctx: Scope, e: Pick<ReportExport, 'format' | 'params' | 'requestedById' | 'createdAt'>): Promise<TextSource> {
  const p = JSON.parse(e.params) as StoredParams
  switch (p.kind) {
    case 'inventory':
      return inventoryCsv(ctx, { now: e.createdAt })
    case 'access':
      return accessCsv(ctx)
    case 'audit-log': {
      const r = { ...rangeBounds(p), maxSeq: p.throughSeq }
      return e.format === 'jsonl' ? auditLogJsonl(ctx, r) : auditLogCsv(ctx, r)
    }
    case 'campaign-evidence': {
      const c = await getReportCampaignOrThrow(ctx, p.campaignId)
      const by = await db.user.findUnique({ where: { id: e.requestedById }, select: { name: true, email: true } })
      const summary = await summarizeCampaign(ctx, c)
      return campaignEvidenceCsv(ctx, c, summary, { at: e.createdAt, by: { name: by?.name ?? '', email: by?.email ?? '' } })
    }
    case 'evidence-pack':
      throw new Error('An evidence pack is a ZIP, written by writeFileExport, not a text source')
  }
}

/** Counts the records of a CSV (newlines outside quoted cells) or JSON Lines text as it passes, chunk by chunk. */
export function recordCounter(format: string) {
  let inQuote = false
  // Bytes or text alike: a quote and a line feed are single bytes in UTF-8, never part of another character's bytes.
  return (chunk: string | Uint8Array): number => {
    let n = 0
    const text = typeof chunk === 'string'
    for (let i = 0; i < chunk.length; i++) {
      const ch = text ? chunk.charCodeAt(i) : chunk[i]
      if (ch === 34 && format === 'csv') inQuote = !inQuote
      else if (ch === 10 && !inQuote) n++
    }
    return n
  }
}

/**
 * Writes the source to the export's file a chunk at a time (constant memory): into a temporary name, renamed to the
 * final one only once complete. Reports the records written after each chunk. On any failure the partial file is removed.
 */
export async function writeExportFile(
  e: Pick<ReportExport, 'id' | 'format'>,
  source: TextSource,
  onProgress: (rows: number) => Promise<void>,
): Promise<{ rows: number; bytes: number; sha256: string; file: string }> {
  await fs.promises.mkdir(exportDir(), { recursive: true, mode: 0o700 })
  const temp = path.join(exportDir(), `${e.id}.${randomBytes(6).toString('hex')}.part`)
  const hash = createHash('sha256')
  const count = recordCounter(e.format)
  let bytes = 0
  let rows = 0
  const out = fs.createWriteStream(temp, { mode: 0o600, flags: 'wx' })
  const closed = once(out, 'close')
  try {
    for await (const chunk of source) {
      const buf = chunkBytes(chunk)
      hash.update(buf)
      bytes += buf.length
      rows += count(chunk)
      if (!out.write(buf)) await once(out, 'drain')
      await onProgress(rows)
    }
    out.end()
    await closed
    await fs.promises.rename(temp, exportFile(e))
  } catch (err) {
    out.destroy()
    await closed.catch(() => undefined)
    await fs.promises.rm(temp, { force: true })
    throw err
  }
  return { rows, bytes, sha256: hash.digest('hex'), file: finalName(e) }
}

/**
 * Writes a file made whole by `write` (a PDF, a ZIP) as the export's file: into a temporary name, then hashed and
 * renamed to the final one only once complete. On any failure the partial file is removed and nothing is left.
 */
export async function writeFileExport(
  e: Pick<ReportExport, 'id' | 'format'>,
  write: (temp: string) => Promise<void>,
): Promise<{ bytes: number; sha256: string; file: string }> {
  await fs.promises.mkdir(exportDir(), { recursive: true, mode: 0o700 })
  const temp = path.join(exportDir(), `${e.id}.${randomBytes(6).toString('hex')}.part`)
  try {
    await write(temp)
    // Readable by this process only, as the CSV exports (a renderer may have made the file with the default mode).
    await fs.promises.chmod(temp, 0o600)
    const hash = createHash('sha256')
    let bytes = 0
    for await (const chunk of fs.createReadStream(temp)) {
      hash.update(chunk as Buffer)
      bytes += (chunk as Buffer).length
    }
    await fs.promises.rename(temp, exportFile(e))
    return { bytes, sha256: hash.digest('hex'), file: finalName(e) }
  } catch (err) {
    await fs.promises.rm(temp, { force: true })
    throw err
  }
}

/**
 * Removes exports past their expiry (rows and files) and temporary files older than a day (a run that died).
 * Unscoped: it sweeps every organization's exports (the cleanup scheduler's job), and reads none of them.
 */
export async function unsafeRemoveExpiredExports(now = new Date()): Promise<number> {
  const expired = await db.reportExport.findMany({ where: { expiresAt: { lte: now } }, select: { id: true, format: true }, take: 1000 })
  for (const e of expired) {
    await fs.promises.rm(exportFile(e), { force: true })
    await db.reportExport.delete({ where: { id: e.id } })
  }
  const names = await fs.promises.readdir(exportDir()).catch(() => [] as string[])
  for (const name of names) {
    if (!name.endsWith('.part')) continue
    const stat = await fs.promises.stat(path.join(exportDir(), name)).catch(() => null)
    if (stat && now.getTime() - stat.mtimeMs > 86_400_000) await fs.promises.rm(path.join(exportDir(), name), { force: true })
  }
  return expired.length
}
