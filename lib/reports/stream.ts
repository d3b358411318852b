import 'server-only'
import { createHash } from 'node:crypto'
import { createWriteStream } from 'node:fs'
import { once } from 'node:events'

/**
 * Text produced page by page: each chunk is a part of the file (a page of rows), never the whole file — a string, or
 * its UTF-8 bytes when an export thread wrote it (handed over without a copy, so the pages of a long export never
 * pile up as strings in this thread's heap).
 */
export type TextSource = AsyncIterable<string | Uint8Array>

/** A chunk as bytes (UTF-8), without a copy when it is bytes already. */
export function chunkBytes(chunk: string | Uint8Array): Buffer {
  return typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength)
}

/**
 * A byte stream pulled from the source one chunk at a time: a page is read from the database only when the client has
 * taken the previous one, so memory stays constant whatever the size. A client that goes away stops the reading.
 */
export function textStream(source: TextSource): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder()
  const it = source[Symbol.asyncIterator]()
  return new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        try {
          const next = await it.next()
          if (next.done) controller.close()
          else controller.enqueue(typeof next.value === 'string' ? encoder.encode(next.value) : next.value)
        } catch (err) {
          // The download ends as failed, never as a shorter file that looks complete.
          console.error('report stream failed', err)
          controller.error(err)
        }
      },
      async cancel() {
        await it.return?.()
      },
    },
    { highWaterMark: 1 },
  )
}

/** Writes the source to a file, returning its size and SHA-256 (for a pack's manifest). */
export async function writeSourceToFile(source: TextSource, path: string): Promise<{ size: number; sha256: string }> {
  const hash = createHash('sha256')
  let size = 0
  const out = createWriteStream(path)
  try {
    for await (const chunk of source) {
      const buf = chunkBytes(chunk)
      hash.update(buf)
      size += buf.length
      if (!out.write(buf)) await once(out, 'drain')
    }
  } finally {
    out.end()
    await once(out, 'close')
  }
  return { size, sha256: hash.digest('hex') }
}

// A raw query's dates and booleans, read the same way by the export threads (lines.mjs).
export { asBool, asDate } from './lines.mjs'

/** A file name part: letters, digits and dashes only. */
export function fileSafe(s: string): string {
  return s.replace(/[^a-z0-9-]+/gi, '-').replace(/^-+|-+$/g, '') || 'x'
}
