import 'server-only'
import { assertCan, type OrgContext } from '@/lib/auth/org-context'
import { tooLargeMessage } from '@/lib/connectors/import/formats'
import { ImportFormatError } from '@/lib/connectors/import/pages'
import { db } from '@/lib/db'
import { AppError, NotFoundError, ValidationError } from '@/lib/errors'
import { previewImport, type ImportPreview } from '@/lib/sources/preview'
import { importFormatOf } from '@/lib/sources/queries'
import { FORMAT_INFO, maxBytesFor, type ImportFormat } from '@/lib/sources/schemas'
import { removeUpload, saveUpload, TooLargeError, uploadFile, writeUploadMeta } from '@/lib/sources/uploads'

export class PayloadTooLargeError extends AppError {
  constructor(message: string) {
    super(message, 413, 'too_large')
  }
}

/**
 * Receives an import file: streams it to disk (never whole in memory), reads it with the format's reader for
 * a preview (first rows, per-row errors with line numbers), and keeps it for the import job.
 */
export async function receiveUpload(
  ctx: OrgContext,
  input: { format: ImportFormat; sourceId: string; name: string },
  body: ReadableStream<Uint8Array> | null,
  contentLength: number | null,
): Promise<{ uploadId: string; fileName: string; bytes: number; preview: ImportPreview }> {
  assertCan(ctx, 'source:manage')
  const source = await db.source.findFirst({ where: { id: input.sourceId, orgId: ctx.org.id }, select: { id: true, config: true } })
  if (!source) throw new NotFoundError('Source not found')
  const sourceFormat = importFormatOf(source.config)
  if (sourceFormat && sourceFormat !== input.format) {
    throw new ValidationError(`This source takes ${FORMAT_INFO[sourceFormat].label} files, not ${FORMAT_INFO[input.format].label}.`)
  }
  const max = maxBytesFor(input.format)
  if (contentLength !== null && contentLength > max) throw new PayloadTooLargeError(tooLargeMessage(input.format))
  if (!body) throw new ValidationError('The file is empty.')
  let saved: { id: string; bytes: number }
  try {
    saved = await saveUpload(body, max)
  } catch (err) {
    if (err instanceof TooLargeError) throw new PayloadTooLargeError(tooLargeMessage(input.format))
    throw err
  }
  if (saved.bytes === 0) {
    await removeUpload(saved.id)
    throw new ValidationError('The file is empty.')
  }
  let preview: ImportPreview
  try {
    preview = await previewImport(input.format, uploadFile(saved.id))
  } catch (err) {
    await removeUpload(saved.id)
    if (err instanceof ImportFormatError) throw new ValidationError(err.message)
    throw err
  }
  const fileName = input.name.replace(/[^\w.\- ()]/g, '_').slice(0, 120) || 'upload'
  await writeUploadMeta({
    id: saved.id, orgId: ctx.org.id, sourceId: source.id, format: input.format, fileName, bytes: saved.bytes,
    uploadedById: ctx.user.id, uploadedAt: new Date().toISOString(), rows: preview.identities + preview.credentials + preview.grants, errors: preview.errorCount,
  })
  return { uploadId: saved.id, fileName, bytes: saved.bytes, preview }
}
