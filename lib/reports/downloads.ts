import 'server-only'
import { createHash } from 'node:crypto'
import { createReadStream } from 'node:fs'
import { mkdtemp, rm, stat, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Readable } from 'node:stream'
import { ZipFile } from 'yazl'
import { recordAudit, type AuditEntry } from '@/lib/audit/record'
import { listCheckpointsForExport } from '@/lib/audit/checkpoints'
import { assertCan, type UserCtx } from '@/lib/auth/org-context'
import { db } from '@/lib/db'
import { AppError } from '@/lib/errors'
import { orgSigner } from '@/lib/keys/org-keys'
import type { Download } from '@/lib/route'
import { auditLogCsv, auditLogJsonl } from './audit-log'
import { campaignEvidenceCsv, getReportCampaignOrThrow, summarizeCampaign, type Generated } from './campaign-evidence'
import { renderCampaignPdf } from './campaign-pdf'
import { accessCsv, inventoryCsv } from './inventory'
import { parseRange, rangeBounds, type LooseRange } from './schemas'
import { fileSafe, textStream, writeSourceToFile, type TextSource } from './stream'

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

/** Test seam: the PDF renderer, replaced by a failing one to prove a failed render fails the download. */
export const pdfRenderer = { render: renderCampaignPdf }

async function renderPdf(...args: Parameters<typeof renderCampaignPdf>) {
  try {
    await pdfRenderer.render(...args)
  } catch (err) {
    console.error('campaign evidence PDF failed', err)
    throw new AppError(
      'The PDF could not be made, so nothing was downloaded. Try again, or download the CSV, which holds the same evidence.',
      500,
      'report_failed',
    )
  }
}

export type PackManifest = {
  format: 'custodian-evidence-pack/1'
  organization: { id: string; slug: string; name: string }
  campaign: { id: string; name: string; status: string; launchedAt: string | null; closedAt: string | null }
  range: { from: string; to: string }
  generatedAt: string
  generatedBy: { id: string; name: string; email: string }
  auditChainHead: { seq: number; hash: string }
  signature: { file: 'manifest.sig'; alg: 'Ed25519'; kid: string; publicKey: 'public-key.pem' }
  files: { name: string; size: number; sha256: string }[]
}

/**
 * The evidence pack of a campaign: every report written to a private temporary folder (hashing as it goes), a
 * manifest naming each file's size and SHA-256, the organization, the range and the audit chain head, signed with the
 * organization's Ed25519 key; then zipped as a stream. The download's audit row carries the manifest's hash.
 */
export async function downloadEvidencePack(ctx: UserCtx, campaignId: string, input: LooseRange = {}): Promise<Download> {
  assertCan(ctx, 'report:export')
  assertCan(ctx, 'audit:read')
  const c = await getReportCampaignOrThrow(ctx, campaignId)
  const gen = generated(ctx)
  const range = parseRange(input, { from: day(c.launchedAt ?? c.createdAt), to: day(gen.at) })
  const bounds = rangeBounds(range)
  const signer = await orgSigner(ctx)
  const head = await db.organization.findUniqueOrThrow({ where: { id: ctx.org.id }, select: { auditSeq: true, auditHash: true } })
  const summary = await summarizeCampaign(ctx, c)

  const dir = await tempDir()
  const cleanup = () => rm(dir, { recursive: true, force: true })
  try {
    const files: { name: string; size: number; sha256: string }[] = []
    const add = async (name: string, source: TextSource) => files.push({ name, ...(await writeSourceToFile(source, join(dir, name))) })
    await add('campaign-evidence.csv', campaignEvidenceCsv(ctx, c, summary, gen))
    await renderPdf(ctx, c, summary, gen, join(dir, 'campaign-evidence.pdf'))
    files.push({ name: 'campaign-evidence.pdf', ...(await hashFile(join(dir, 'campaign-evidence.pdf'))) })
    await add('inventory.csv', inventoryCsv(ctx, { now: gen.at }))
    await add('access.csv', accessCsv(ctx))
    await add('audit-log.csv', auditLogCsv(ctx, { ...bounds, maxSeq: head.auditSeq }))
    await add('audit-log.jsonl', auditLogJsonl(ctx, { ...bounds, maxSeq: head.auditSeq }))
    // The signed checkpoints of the audit chain: someone who can write to the database cannot rewrite history before them.
    await writeFile(join(dir, 'audit-checkpoints.json'), JSON.stringify(await listCheckpointsForExport(ctx), null, 2) + '\n')
    files.push({ name: 'audit-checkpoints.json', ...(await hashFile(join(dir, 'audit-checkpoints.json'))) })
    // The same hashes in sha256sum's format, so `sha256sum -c SHA256SUMS` checks every file with standard tools.
    const sums = files.map((f) => `${f.sha256}  ${f.name}\n`).join('')
    await writeFile(join(dir, 'SHA256SUMS'), sums)
    files.push({ name: 'SHA256SUMS', ...(await hashFile(join(dir, 'SHA256SUMS'))) })

    const manifest: PackManifest = {
      format: 'custodian-evidence-pack/1',
      organization: { id: ctx.org.id, slug: ctx.org.slug, name: ctx.org.name },
      campaign: { id: c.id, name: c.name, status: c.status, launchedAt: c.launchedAt?.toISOString() ?? null, closedAt: c.closedAt?.toISOString() ?? null },
      range: { from: bounds.from.toISOString(), to: bounds.to.toISOString() },
      generatedAt: gen.at.toISOString(),
      generatedBy: { id: ctx.user.id, name: ctx.user.name, email: ctx.user.email },
      auditChainHead: { seq: head.auditSeq, hash: head.auditHash },
      signature: { file: 'manifest.sig', alg: 'Ed25519', kid: signer.kid, publicKey: 'public-key.pem' },
      files,
    }
    const manifestBytes = Buffer.from(JSON.stringify(manifest, null, 2) + '\n', 'utf8')
    const manifestSha256 = createHash('sha256').update(manifestBytes).digest('hex')
    const signature = signer.sign(manifestBytes)

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
        manifestSha256,
        kid: signer.kid,
        auditChainSeq: head.auditSeq,
      },
    })

    const folder = `custodian-evidence-${fileSafe(ctx.org.slug)}-${fileSafe(c.name).slice(0, 40)}-${day(gen.at)}`
    const zip = new ZipFile()
    const opts = { mtime: gen.at }
    for (const f of files) zip.addFile(join(dir, f.name), `${folder}/${f.name}`, opts)
    zip.addBuffer(manifestBytes, `${folder}/manifest.json`, opts)
    zip.addBuffer(signature, `${folder}/manifest.sig`, opts)
    zip.addBuffer(Buffer.from(signer.publicKeyPem, 'utf8'), `${folder}/public-key.pem`, opts)
    zip.end()
    const out = zip.outputStream as Readable
    out.on('close', () => void cleanup())
    out.on('end', () => void cleanup())
    out.on('error', () => void cleanup())
    return { body: Readable.toWeb(out) as ReadableStream<Uint8Array>, filename: `${folder}.zip`, contentType: 'application/zip' }
  } catch (err) {
    await cleanup()
    throw err
  }
}

async function hashFile(path: string): Promise<{ size: number; sha256: string }> {
  const hash = createHash('sha256')
  let size = 0
  for await (const chunk of createReadStream(path)) {
    hash.update(chunk as Buffer)
    size += (chunk as Buffer).length
  }
  return { size, sha256: hash.digest('hex') }
}
