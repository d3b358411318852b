// Reads CSV (RFC 4180: quoted fields, "" escapes, CRLF, LF or CR line ends, line breaks inside quotes, a UTF-8
// byte order mark) as a stream of records, each with the line it starts on. csv-parse parses the records;
// this wrapper only cuts the byte stream at line breaks that are not inside quotes (an odd number of quotes so
// far means the record goes on), for two reasons: every record and every error carries its exact starting line,
// and a malformed record is reported and skipped up to the end of its line, where reading resumes (csv-parse's
// own skip_records_with_error stays inside a quote after a bad closing quote and swallows the rest of the file,
// and its line counter counts a CRLF inside quotes twice). Every dimension is bounded (CSV_LIMITS): one record's
// bytes, its fields, and the number of records, so memory stays constant whatever the file holds.
import { parse, type CsvError } from 'csv-parse/sync'
import { CSV_LIMITS, count, formatBytes, type CsvLimits } from './limits'
import type { DiscoveryPage } from '@/lib/connectors/types'
import { errorMessage, ImportFormatError, PageBuilder, type MappedRecord } from './pages'

export type CsvRecord = { line: number; fields: string[]; error?: undefined } | { line: number; fields?: undefined; error: string }

type Input = AsyncIterable<string | Uint8Array> | Iterable<string | Uint8Array>

const LF = 0x0a
const CR = 0x0d
const QUOTE = 0x22
const NEWLINE = Buffer.from('\n')
const BOM = Buffer.from([0xef, 0xbb, 0xbf])
/** Records handed to csv-parse in one call (a malformed one makes the rest of its batch parse one by one). */
const BATCH_RECORDS = 2_000
/** An unfinished record is checked for a stray quote at most this often (each check parses it whole). */
const MAX_CHECKS = 16

type Pending = { line: number; buf: Buffer }

function describe(err: unknown, line: number): string {
  const e = err as CsvError & { column?: unknown }
  const column = typeof e.column === 'number' ? e.column + 1 : null
  switch (e.code) {
    case 'INVALID_OPENING_QUOTE':
      return `unexpected quote inside an unquoted field${column ? ` (column ${column})` : ''}; wrap the field in quotes and double the quote ("")`
    case 'CSV_INVALID_CLOSING_QUOTE':
      return `unexpected character after a closing quote${column ? ` (column ${column})` : ''}`
    case 'CSV_QUOTE_NOT_CLOSED':
      return `a quoted field opened on line ${line} is never closed`
    default:
      return `the row could not be read (${e.message})`
  }
}

/** Streams records from text or UTF-8 bytes; malformed records come as `{ line, error }` and reading goes on. */
export async function* readCsv(input: Input, limits: Partial<CsvLimits> = {}): AsyncGenerator<CsvRecord> {
  const lim = { ...CSV_LIMITS, ...limits }
  const options = {
    relax_column_count: true,
    skip_empty_lines: false,
    record_delimiter: '\n',
    bom: false,
    encoding: 'utf8',
    max_record_size: lim.maxRecordBytes,
  } as const
  const out: CsvRecord[] = []
  let batch: Pending[] = []
  let records = 0

  // The record being assembled: its parts (slices of the input chunks), size, first line and quote parity.
  let parts: Buffer[] = []
  let bytes = 0
  let startLine = 1
  let open = false
  /** the record outgrew maxRecordBytes: the rest of its line is dropped */
  let skipping = false
  /** lines the current record spans so far (0: still on its first line) */
  let spans = 0
  /** the current line holds a quote; checks: parses of an unfinished record so far */
  let quoteInLine = false
  let checks = 0
  let line = 1
  /** the last chunk ended with CR: an LF opening the next one belongs to the same line break */
  let crPending = false
  let head: Buffer | null = Buffer.alloc(0)

  const emitFields = (at: number, fields: string[]) => {
    if (fields.length === 1 && fields[0] === '') return // a line holding only ""
    if (fields.length > lim.maxFields) {
      out.push({ line: at, error: `the row has more than ${count(lim.maxFields)} fields (${count(fields.length)}); check that the file is comma-separated` })
    } else out.push({ line: at, fields })
  }

  const parseOne = (p: Pending) => {
    try {
      const rows = parse(p.buf, options)
      if (rows.length === 1) emitFields(p.line, rows[0])
      else if (rows.length > 1) out.push({ line: p.line, error: 'the row could not be read (it splits into several records)' })
    } catch (err) {
      out.push({ line: p.line, error: describe(err, p.line) })
    }
  }

  const flush = () => {
    if (batch.length === 0) return
    const pending = batch
    batch = []
    const joined: Buffer[] = []
    for (const p of pending) joined.push(p.buf, NEWLINE)
    let good = 0
    try {
      const rows = parse(Buffer.concat(joined), options)
      if (rows.length === pending.length) {
        pending.forEach((p, k) => emitFields(p.line, rows[k]))
        return
      }
    } catch (err) {
      // The records before the malformed one were fine: parse them together again, the rest one by one.
      const r = (err as CsvError).records
      good = typeof r === 'number' && r > 0 && r < pending.length ? r : 0
    }
    if (good) {
      const rows = parse(Buffer.concat(joined.slice(0, good * 2)), options)
      if (rows.length === good) pending.slice(0, good).forEach((p, k) => emitFields(p.line, rows[k]))
      else good = 0
    }
    for (const p of pending.slice(good)) parseOne(p)
  }

  const reset = () => {
    parts = []
    bytes = 0
    open = false
    spans = 0
    checks = 0
  }

  const countRecord = () => {
    if (++records > lim.maxRecords) {
      throw new ImportFormatError(`The file has more than ${count(lim.maxRecords)} rows, the limit for one import: split it into several files.`)
    }
  }

  const fail = (at: number, message: string) => {
    countRecord()
    flush()
    out.push({ line: at, error: message })
  }

  const add = (b: Buffer) => {
    if (skipping || b.length === 0) return
    bytes += b.length
    if (bytes > lim.maxRecordBytes) {
      const unclosed = open && spans > 0
      fail(
        startLine,
        `the row is longer than ${formatBytes(lim.maxRecordBytes)}, the limit for one row${unclosed ? ' (a quoted field may be missing its closing quote)' : ''}; check that this is a CSV file with one row per line`,
      )
      reset()
      skipping = true
      return
    }
    parts.push(b)
  }

  const complete = () => {
    const buf = parts.length === 1 ? parts[0] : Buffer.concat(parts, bytes)
    reset()
    if (buf.length === 0) return // a blank line
    countRecord()
    batch.push({ line: startLine, buf })
    if (batch.length >= BATCH_RECORDS) flush()
  }

  const lineBreak = (terminator: Buffer) => {
    if (skipping) {
      skipping = false
      reset()
    } else if (open && (spans === 0 || (quoteInLine && checks < MAX_CHECKS))) {
      // An odd number of quotes so far: a quoted field going on at the next line, or a stray quote (an error
      // reported now, so reading resumes at the next line instead of inside a quote that never closes).
      checks++
      try {
        parse(Buffer.concat(parts, bytes), options)
      } catch (err) {
        if ((err as CsvError).code !== 'CSV_QUOTE_NOT_CLOSED') {
          fail(startLine, describe(err, startLine))
          reset()
        }
      }
    }
    quoteInLine = false
    if (open) {
      add(terminator)
      spans++
    } else if (!skipping) complete()
    line++
    if (!open && !skipping) startLine = line
  }

  const feed = (chunk: Buffer) => {
    let b = chunk
    if (head) {
      // The byte order mark may arrive split over chunks: hold the first bytes until three are known.
      b = Buffer.concat([head, b])
      if (b.length < BOM.length && BOM.subarray(0, b.length).equals(b)) {
        head = b
        return
      }
      head = null
      if (b.subarray(0, 3).equals(BOM)) b = b.subarray(3)
    }
    let i = 0
    if (crPending && b.length) {
      crPending = false
      if (b[0] === LF) {
        if (open) add(b.subarray(0, 1))
        i = 1
      }
    }
    // Next LF, CR and quote at or after i (-1: none left in this chunk); each found once, so a chunk is scanned in linear time.
    let nextLf = -2
    let nextCr = -2
    let nextQuote = -2
    while (i < b.length) {
      if (nextLf !== -1 && nextLf < i) nextLf = b.indexOf(LF, i)
      if (nextCr !== -1 && nextCr < i) nextCr = b.indexOf(CR, i)
      const nl = nextLf === -1 ? nextCr : nextCr === -1 ? nextLf : Math.min(nextLf, nextCr)
      const end = nl === -1 ? b.length : nl
      if (!skipping) {
        let q = i
        for (;;) {
          if (nextQuote !== -1 && nextQuote < q) nextQuote = b.indexOf(QUOTE, q)
          if (nextQuote === -1 || nextQuote >= end) break
          open = !open
          quoteInLine = true
          q = nextQuote + 1
        }
      }
      add(b.subarray(i, end))
      if (nl === -1) return
      let len = 1
      if (b[nl] === CR) {
        if (nl + 1 < b.length) len = b[nl + 1] === LF ? 2 : 1
        else crPending = true
      }
      lineBreak(b.subarray(nl, nl + len))
      i = nl + len
    }
  }

  for await (const chunk of input as AsyncIterable<string | Uint8Array>) {
    feed(
      typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength),
    )
    flush()
    if (out.length) {
      yield* out
      out.length = 0
    }
  }
  if (head?.length) {
    const rest = head
    head = null
    feed(rest)
  }
  if (!skipping && bytes > 0) {
    if (open) {
      // The whole record is one error; parse it for the message csv-parse gives.
      const buf = Buffer.concat(parts, bytes)
      const at = startLine
      reset()
      countRecord()
      parseOne({ line: at, buf })
    } else complete()
  }
  flush()
  yield* out
}

/** Column index by normalized header name (lower case, spaces and dashes as underscores). */
export function headerIndex(fields: string[]): Map<string, number> {
  const m = new Map<string, number>()
  fields.forEach((f, i) => {
    const key = normalizeHeader(f)
    if (key && !m.has(key)) m.set(key, i)
  })
  return m
}

export function normalizeHeader(s: string): string {
  return s
    .trim()
    .toLowerCase()
    .replace(/[\s-]+/g, '_')
}

export type CsvFormat = {
  /** Throws ImportFormatError when the header row is not this format's. */
  checkHeader(header: Map<string, number>, fields: string[]): void
  /** Maps one row (get reads a column by its normalized name, '' when absent); a thrown error becomes that line's error. */
  mapRow(get: (column: string) => string, fields: string[], header: Map<string, number>): MappedRecord
  /** The message for a file without a header row. */
  emptyMessage: string
}

/** Reads a CSV stream of one format into pages: the header is checked first; malformed rows become errors carrying their line numbers. */
export async function* readCsvPages(input: Input, format: CsvFormat): AsyncGenerator<DiscoveryPage> {
  const pages = new PageBuilder()
  let header: Map<string, number> | null = null
  for await (const rec of readCsv(input)) {
    let page: DiscoveryPage | null
    if (!header) {
      if (rec.fields === undefined) throw new ImportFormatError(`The header row (line ${rec.line}) could not be read: ${rec.error}.`)
      header = headerIndex(rec.fields)
      format.checkHeader(header, rec.fields)
      continue
    }
    if (rec.fields === undefined) page = pages.error({ line: rec.line, message: rec.error })
    else {
      const fields = rec.fields
      const h = header
      try {
        const record = format.mapRow(
          (c) => {
            const i = h.get(c)
            return i === undefined ? '' : (fields[i] ?? '')
          },
          fields,
          h,
        )
        if (record.skipped) record.skipped.line = rec.line
        page = pages.add(record)
      } catch (err) {
        page = pages.error({ line: rec.line, message: errorMessage(err) })
      }
    }
    if (page) yield page
  }
  if (!header) throw new ImportFormatError(format.emptyMessage)
  const last = pages.flush()
  if (last) yield last
}
