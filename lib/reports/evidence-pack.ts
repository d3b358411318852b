import 'server-only'
import { createHash } from 'node:crypto'
import { createReadStream, createWriteStream } from 'node:fs'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { pipeline } from 'node:stream/promises'
import { Transform, type Readable } from 'node:stream'
import { ZipFile } from 'yazl'
import { listCheckpointsForExport } from '@/lib/audit/checkpoints'
import { assertCan, type Ctx } from '@/lib/auth/org-context'
import { db } from '@/lib/db'
import { AppError } from '@/lib/errors'
import { orgSigner } from '@/lib/keys/org-keys'
import { auditLogCsv, auditLogJsonl } from './audit-log'
import { campaignEvidenceCsv, summarizeCampaign, type Generated, type ReportCampaign } from './campaign-evidence'
import { renderCampaignPdf } from './campaign-pdf'
import { recordCounter } from './export-files'
import { accessCsv, inventoryCsv } from './inventory'
import { rangeBounds, type RangeInput } from './schemas'
import { chunkBytes, fileSafe, type TextSource } from './stream'

const day = (d: Date) => d.toISOString().slice(0, 10)

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

/** The files of a pack in the order they are written (the ZIP is the last step). */
export const PACK_FILES = [
  'campaign-evidence.csv',
  'campaign-evidence.pdf',
  'inventory.csv',
  'access.csv',
  'audit-log.csv',
  'audit-log.jsonl',
  'audit-checkpoints.json',
] as const
/** Steps of a pack: each file, then the ZIP. */
export const PACK_STEPS = PACK_FILES.length + 1

/** Where a pack run is: the step (1-based), the file being written, the CSV records written so far over all files. */
export type PackProgress = { step: number; steps: number; file: string; rows: number }

/** What a finished pack says of itself: its manifest's SHA-256 (audited with each download), key and chain head. */
export type PackResult = { folder: string; manifestSha256: string; kid: string; auditChainSeq: number; bytes: number; sha256: string }

/** Test seam: the PDF renderer, replaced by a failing one to prove a failed render fails the download or the export. */
export const pdfRenderer = { render: renderCampaignPdf }

/** The message of a PDF that could not be made (the cause goes to the server log). */
export const PDF_FAILED = 'The PDF could not be made, so nothing was downloaded. Try again, or download the CSV, which holds the same evidence.'

/** Renders the campaign's PDF to a file, or fails with a message a person can act on. */
export async function renderPdf(...args: Parameters<typeof renderCampaignPdf>) {
  try {
    await pdfRenderer.render(...args)
  } catch (err) {
    console.error('campaign evidence PDF failed', err)
    throw new AppError(PDF_FAILED, 500, 'report_failed')
  }
}

/** SHA-256 and size of a file, read as a stream. */
export async function hashFile(path: string): Promise<{ size: number; sha256: string }> {
  const hash = createHash('sha256')
  let size = 0
  for await (const chunk of createReadStream(path)) {
    hash.update(chunk as Buffer)
    size += (chunk as Buffer).length
  }
  return { size, sha256: hash.digest('hex') }
}

/** The pack's folder (and ZIP) name. */
export const packFolder = (org: { slug: string }, c: { name: string }, at: Date) =>
  `custodian-evidence-${fileSafe(org.slug)}-${fileSafe(c.name).slice(0, 40)}-${day(at)}`

type PackCtx = Ctx & { org: { id: string; slug: string; name: string } }

/**
 * Writes a campaign's evidence pack to `zipPath`: every report written to a private temporary folder (hashing as it
 * goes), a manifest naming each file's size and SHA-256, the organization, the range and the audit chain head at
 * generation, signed with the organization's Ed25519 key; then the ZIP. The same code serves the direct download and
 * the background export. `onProgress` is told each file as it starts and the records written, often (it only keeps
 * the latest; the export's heartbeat writes it).
 * Any failure rejects and leaves nothing behind but what the caller wrote at `zipPath` (the caller removes it).
 */
export async function writeEvidencePack(
  ctx: PackCtx,
  c: ReportCampaign,
  range: RangeInput,
  gen: Generated & { by: { id: string } },
  zipPath: string,
  onProgress: (p: PackProgress) => void = () => undefined,
): Promise<PackResult> {
  assertCan(ctx, 'report:export')
  assertCan(ctx, 'audit:read')
  const bounds = rangeBounds(range)
  const signer = await orgSigner(ctx)
  // The chain head at generation: the audit log files end there, and the manifest names it.
  const head = await db.organization.findUniqueOrThrow({ where: { id: ctx.org.id }, select: { auditSeq: true, auditHash: true } })
  const summary = await summarizeCampaign(ctx, c)

  const dir = await mkdtemp(join(tmpdir(), 'custodian-pack-'))
  try {
    const files: { name: string; size: number; sha256: string }[] = []
    let rows = 0
    let step = 0
    const begin = (file: string) => {
      step++
      onProgress({ step, steps: PACK_STEPS, file, rows })
    }
    const add = async (name: (typeof PACK_FILES)[number], source: TextSource, format: 'csv' | 'jsonl') => {
      begin(name)
      const count = recordCounter(format)
      const hash = createHash('sha256')
      let size = 0
      const out = createWriteStream(join(dir, name), { mode: 0o600, flags: 'wx' })
      const counted = async function* () {
        for await (const chunk of source) {
          const buf = chunkBytes(chunk)
          hash.update(buf)
          size += buf.length
          rows += count(chunk)
          yield buf
          onProgress({ step, steps: PACK_STEPS, file: name, rows })
        }
      }
      await pipeline(counted, out)
      files.push({ name, size, sha256: hash.digest('hex') })
    }
    const addText = async (name: string, text: string) => {
      await writeFile(join(dir, name), text, { mode: 0o600, flag: 'wx' })
      files.push({ name, ...(await hashFile(join(dir, name))) })
    }

    await add('campaign-evidence.csv', campaignEvidenceCsv(ctx, c, summary, gen), 'csv')
    begin('campaign-evidence.pdf')
    await renderPdf(ctx, c, summary, gen, join(dir, 'campaign-evidence.pdf'), () =>
      onProgress({ step, steps: PACK_STEPS, file: 'campaign-evidence.pdf', rows }),
    )
    files.push({ name: 'campaign-evidence.pdf', ...(await hashFile(join(dir, 'campaign-evidence.pdf'))) })
    await add('inventory.csv', inventoryCsv(ctx, { now: gen.at }), 'csv')
    await add('access.csv', accessCsv(ctx), 'csv')
    await add('audit-log.csv', auditLogCsv(ctx, { ...bounds, maxSeq: head.auditSeq }), 'csv')
    await add('audit-log.jsonl', auditLogJsonl(ctx, { ...bounds, maxSeq: head.auditSeq }), 'jsonl')
    // The signed checkpoints of the audit chain: someone who can write to the database cannot rewrite history before them.
    begin('audit-checkpoints.json')
    await addText('audit-checkpoints.json', JSON.stringify(await listCheckpointsForExport(ctx), null, 2) + '\n')
    // The same hashes in sha256sum's format, so `sha256sum -c SHA256SUMS` checks every file with standard tools.
    await addText('SHA256SUMS', files.map((f) => `${f.sha256}  ${f.name}\n`).join(''))

    const manifest: PackManifest = {
      format: 'custodian-evidence-pack/1',
      organization: { id: ctx.org.id, slug: ctx.org.slug, name: ctx.org.name },
      campaign: { id: c.id, name: c.name, status: c.status, launchedAt: c.launchedAt?.toISOString() ?? null, closedAt: c.closedAt?.toISOString() ?? null },
      range: { from: bounds.from.toISOString(), to: bounds.to.toISOString() },
      generatedAt: gen.at.toISOString(),
      generatedBy: { id: gen.by.id, name: gen.by.name, email: gen.by.email },
      auditChainHead: { seq: head.auditSeq, hash: head.auditHash },
      signature: { file: 'manifest.sig', alg: 'Ed25519', kid: signer.kid, publicKey: 'public-key.pem' },
      files,
    }
    const manifestBytes = Buffer.from(JSON.stringify(manifest, null, 2) + '\n', 'utf8')
    const manifestSha256 = createHash('sha256').update(manifestBytes).digest('hex')
    const signature = signer.sign(manifestBytes)

    begin('ZIP')
    const folder = packFolder(ctx.org, c, gen.at)
    const zip = new ZipFile()
    const opts = { mtime: gen.at }
    for (const f of files) zip.addFile(join(dir, f.name), `${folder}/${f.name}`, opts)
    zip.addBuffer(manifestBytes, `${folder}/manifest.json`, opts)
    zip.addBuffer(signature, `${folder}/manifest.sig`, opts)
    zip.addBuffer(Buffer.from(signer.publicKeyPem, 'utf8'), `${folder}/public-key.pem`, opts)
    zip.end()
    const hash = createHash('sha256')
    let bytes = 0
    const tap = new Transform({
      transform(chunk: Buffer, _enc, done) {
        hash.update(chunk)
        bytes += chunk.length
        done(null, chunk)
      },
    })
    await pipeline(zip.outputStream as Readable, tap, createWriteStream(zipPath, { mode: 0o600, flags: 'wx' }))
    return { folder, manifestSha256, kid: signer.kid, auditChainSeq: head.auditSeq, bytes, sha256: hash.digest('hex') }
  } finally {
    await rm(dir, { recursive: true, force: true })
  }
}
