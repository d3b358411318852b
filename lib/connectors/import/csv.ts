// A small streaming CSV reader (RFC 4180): quoted fields, "" escapes, CRLF or LF line ends, newlines inside
// quotes, a UTF-8 byte order mark. It holds one record at a time, so a file of any length reads in constant
// memory. A malformed record is yielded as an error with its line number and reading goes on at the next line.

export type CsvRecord =
  | { line: number; fields: string[]; error?: undefined }
  | { line: number; fields?: undefined; error: string }

const QUOTE = 34
const COMMA = 44
const CR = 13
const LF = 10

type State = 'fieldStart' | 'unquoted' | 'quoted' | 'quoteInQuoted' | 'skip'

export async function* readCsv(input: AsyncIterable<string | Uint8Array> | Iterable<string | Uint8Array>, opts: { maxFieldChars?: number } = {}): AsyncGenerator<CsvRecord> {
  const maxField = opts.maxFieldChars ?? 1_000_000
  const decoder = new TextDecoder('utf-8')
  let state: State = 'fieldStart'
  let fields: string[] = []
  let field = ''
  let line = 1
  let recordLine = 1
  let error = ''
  let first = true
  let pendingCr = false
  let crInQuoted = false
  const out: CsvRecord[] = []

  const endRecord = () => {
    if (error) out.push({ line: recordLine, error })
    else if (!(fields.length === 0 && field === '')) {
      fields.push(field)
      out.push({ line: recordLine, fields })
    }
    fields = []
    field = ''
    error = ''
    state = 'fieldStart'
  }
  const fail = (message: string) => {
    error = message
    state = 'skip'
  }

  const feed = (text: string) => {
    let i = 0
    const n = text.length
    if (first && n) {
      first = false
      if (text.charCodeAt(0) === 0xfeff) i = 1
    }
    let seg = -1 // start of a run of plain characters in the current field
    const flush = (end: number) => {
      if (seg >= 0) {
        field += text.slice(seg, end)
        seg = -1
        if (field.length > maxField) fail(`a field is longer than ${maxField} characters`)
      }
    }
    for (; i < n; i++) {
      const c = text.charCodeAt(i)
      if (pendingCr) {
        pendingCr = false
        if (c === LF) continue
      }
      switch (state) {
        case 'skip':
          if (c === LF || c === CR) {
            if (c === CR) pendingCr = true
            line++
            endRecord()
            recordLine = line
          }
          break
        case 'fieldStart':
          if (c === QUOTE) {
            state = 'quoted'
            break
          }
          state = 'unquoted'
        // falls through
        case 'unquoted':
          if (c === COMMA) {
            flush(i)
            fields.push(field)
            field = ''
            state = 'fieldStart'
          } else if (c === LF || c === CR) {
            flush(i)
            if (c === CR) pendingCr = true
            line++
            endRecord()
            recordLine = line
          } else if (c === QUOTE) {
            flush(i)
            fail(`unexpected quote inside an unquoted field (column ${fields.length + 1}); wrap the field in quotes and double the quote ("")`)
          } else if (seg < 0) seg = i
          break
        case 'quoted':
          if (c === QUOTE) {
            flush(i)
            crInQuoted = false
            state = 'quoteInQuoted'
          } else {
            if (c === CR || (c === LF && !crInQuoted)) line++
            crInQuoted = c === CR
            if (seg < 0) seg = i
          }
          break
        case 'quoteInQuoted':
          if (c === QUOTE) {
            field += '"'
            state = 'quoted'
          } else if (c === COMMA) {
            fields.push(field)
            field = ''
            state = 'fieldStart'
          } else if (c === LF || c === CR) {
            if (c === CR) pendingCr = true
            line++
            endRecord()
            recordLine = line
          } else {
            fail(`unexpected character after a closing quote (column ${fields.length + 1})`)
          }
          break
      }
      if (state === 'skip' && seg >= 0) seg = -1
    }
    flush(n)
  }

  for await (const chunk of input as AsyncIterable<string | Uint8Array>) {
    feed(typeof chunk === 'string' ? chunk : decoder.decode(chunk, { stream: true }))
    if (out.length) {
      yield* out
      out.length = 0
    }
  }
  feed(decoder.decode())
  if ((state as State) === 'quoted') {
    error = `a quoted field opened on line ${recordLine} is never closed`
  }
  endRecord()
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
  return s.trim().toLowerCase().replace(/[\s-]+/g, '_')
}
