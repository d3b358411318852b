import 'server-only'
import { createHash } from 'node:crypto'
import { createWriteStream } from 'node:fs'
import { once } from 'node:events'

/** Text produced page by page: each string is a chunk of the file (a page of rows), never the whole file. */
export type TextSource = AsyncIterable<string>

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
          else controller.enqueue(encoder.encode(next.value))
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
      const buf = Buffer.from(chunk, 'utf8')
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

/** A value of a raw query as a Date: epoch milliseconds on SQLite, a timestamp (Date or text) on PostgreSQL. */
export function asDate(v: unknown): Date | null {
  if (v === null || v === undefined) return null
  if (v instanceof Date) return v
  if (typeof v === 'number' || typeof v === 'bigint') return new Date(Number(v))
  if (typeof v === 'string') {
    if (/^\d+$/.test(v)) return new Date(Number(v))
    return new Date(/[zZ]|[+-]\d\d:?\d\d$/.test(v) ? v : `${v.replace(' ', 'T')}Z`)
  }
  return null
}

/** A boolean of a raw query: 1/0 on SQLite, true/false on PostgreSQL. */
export function asBool(v: unknown): boolean {
  return v === true || v === 1 || v === 1n || v === '1' || v === 't' || v === 'true'
}

/** A file name part: letters, digits and dashes only. */
export function fileSafe(s: string): string {
  return s.replace(/[^a-z0-9-]+/gi, '-').replace(/^-+|-+$/g, '') || 'x'
}
