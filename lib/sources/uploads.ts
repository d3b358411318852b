import 'server-only'
import { randomBytes } from 'node:crypto'
import fs from 'node:fs'
import path from 'node:path'
import { Readable } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import type { Ctx } from '@/lib/auth/org-context'
import { IMPORT_FORMATS, type ImportFormat } from '@/lib/sources/schemas'

// Uploaded import files live under data/imports/ until imported: <id>.upload holds the bytes, <id>.json who
// uploaded it for which organization and source. The id is random (128 bits) and every use checks the org.

export type UploadMeta = {
  id: string
  orgId: string
  sourceId: string
  format: ImportFormat
  fileName: string
  bytes: number
  uploadedById: string
  uploadedAt: string
  /** rows and errors found by the preview scan, once it has run (previewedAt) */
  rows: number
  errors: number
  previewedAt: string | null
}

export const uploadDir = () => path.join(process.cwd(), 'data', 'imports')
export const uploadFile = (id: string) => path.join(uploadDir(), `${id}.upload`)
const metaFile = (id: string) => path.join(uploadDir(), `${id}.json`)

export class TooLargeError extends Error {}

/** Streams a request body to a new upload file without holding it in memory; stops at maxBytes. */
export async function saveUpload(body: ReadableStream<Uint8Array>, maxBytes: number): Promise<{ id: string; bytes: number }> {
  await fs.promises.mkdir(uploadDir(), { recursive: true, mode: 0o700 })
  const id = randomBytes(16).toString('hex')
  const file = uploadFile(id)
  let bytes = 0
  try {
    await pipeline(
      Readable.fromWeb(body as import('node:stream/web').ReadableStream<Uint8Array>),
      async function* (source: AsyncIterable<Uint8Array>) {
        for await (const chunk of source) {
          bytes += chunk.length
          if (bytes > maxBytes) throw new TooLargeError()
          yield chunk
        }
      },
      fs.createWriteStream(file, { mode: 0o600, flags: 'wx' }),
    )
  } catch (err) {
    await fs.promises.rm(file, { force: true })
    throw err
  }
  return { id, bytes }
}

export async function writeUploadMeta(meta: UploadMeta) {
  await fs.promises.writeFile(metaFile(meta.id), JSON.stringify(meta), { mode: 0o600 })
}

/** The upload's record, only for the organization that made it (anything else reads as missing). */
export async function readUploadMeta(ctx: Ctx, id: string): Promise<UploadMeta | null> {
  if (!/^[a-f0-9]{32}$/.test(id)) return null
  try {
    const meta = JSON.parse(await fs.promises.readFile(metaFile(id), 'utf8')) as UploadMeta
    if (meta.orgId !== ctx.org.id || !IMPORT_FORMATS.includes(meta.format)) return null
    await fs.promises.access(uploadFile(id))
    return meta
  } catch {
    return null
  }
}

/** Unscoped (by id alone): callers pass an upload they just saved, or read with readUploadMeta for their organization. */
export async function unsafeRemoveUpload(id: string) {
  await fs.promises.rm(uploadFile(id), { force: true })
  await fs.promises.rm(metaFile(id), { force: true })
}

/**
 * Uploads never imported are removed after maxAgeMs (default a day); returns how many were removed. Unscoped: it sweeps
 * every organization's uploads (the cleanup scheduler's job), and reads none of them.
 */
export async function unsafeRemoveStaleUploads(now = Date.now(), maxAgeMs = 86_400_000): Promise<number> {
  let names: string[]
  try {
    names = await fs.promises.readdir(uploadDir())
  } catch {
    return 0
  }
  let n = 0
  for (const name of names) {
    const m = /^([a-f0-9]{32})\.(upload|json)$/.exec(name)
    if (!m) continue
    const stat = await fs.promises.stat(path.join(uploadDir(), name)).catch(() => null)
    if (stat && now - stat.mtimeMs > maxAgeMs) {
      await fs.promises.rm(path.join(uploadDir(), name), { force: true })
      n++
    }
  }
  return n
}
