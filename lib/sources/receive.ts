import 'server-only'
import { assertCan, type UserCtx } from '@/lib/auth/org-context'
import { tooLargeMessage } from '@/lib/connectors/import/formats'
import { AppError, NotFoundError, ValidationError } from '@/lib/errors'
import { enqueueJobNow } from '@/lib/jobs/queue'
import { previewImportJob } from '@/lib/sources/jobs'
import { findImportSource, importRefusal } from '@/lib/sources/queries'
import { maxBytesFor, type ImportFormat } from '@/lib/sources/schemas'
import { unsafeRemoveUpload, saveUpload, TooLargeError, writeUploadMeta } from '@/lib/sources/uploads'

export class PayloadTooLargeError extends AppError {
  constructor(message: string) {
    super(message, 413, 'too_large')
  }
}

/**
 * Receives an import file: checks that the source takes this format, streams the file to disk (never whole in
 * memory, stopped at the format's size limit) and queues its preview. The file is read only by the worker,
 * so a hostile file cannot stall or exhaust the web process; the page polls the preview job for the result.
 */
export async function receiveUpload(
  ctx: UserCtx,
  input: { format: ImportFormat; sourceId: string; name: string },
  body: ReadableStream<Uint8Array> | null,
  contentLength: number | null,
): Promise<{ uploadId: string; fileName: string; bytes: number; jobId: string }> {
  assertCan(ctx, 'source:manage')
  const source = await findImportSource(ctx, input.sourceId)
  if (!source) throw new NotFoundError('Source not found')
  const refusal = importRefusal(source, input.format)
  if (refusal) throw new ValidationError(refusal)
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
    await unsafeRemoveUpload(saved.id)
    throw new ValidationError('The file is empty.')
  }
  const fileName = input.name.replace(/[^\w.\- ()]/g, '_').slice(0, 120) || 'upload'
  try {
    await writeUploadMeta({
      id: saved.id,
      orgId: ctx.org.id,
      sourceId: source.id,
      format: input.format,
      fileName,
      bytes: saved.bytes,
      uploadedById: ctx.user.id,
      uploadedAt: new Date().toISOString(),
      rows: 0,
      errors: 0,
      previewedAt: null,
    })
    const job = await enqueueJobNow(
      previewImportJob,
      { uploadId: saved.id, sourceId: source.id, fileName },
      { orgId: ctx.org.id, total: saved.bytes, createdById: ctx.user.id },
    )
    return { uploadId: saved.id, fileName, bytes: saved.bytes, jobId: job.id }
  } catch (err) {
    await unsafeRemoveUpload(saved.id)
    throw err
  }
}
