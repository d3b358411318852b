import { stringify } from 'csv-stringify/sync'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { readCsv } from './csv'

async function collect<T>(gen: AsyncIterable<T>) {
  const out: T[] = []
  for await (const r of gen) out.push(r)
  return out
}

async function all(chunks: (string | Uint8Array)[]) {
  const out = []
  for await (const r of readCsv(chunks)) out.push(r)
  return out
}

describe('readCsv', () => {
  it('reads plain rows with LF and CRLF line ends and skips blank lines', async () => {
    expect(await all(['a,b,c\n1,2,3\r\n\r\n4,,6\n'])).toEqual([
      { line: 1, fields: ['a', 'b', 'c'] },
      { line: 2, fields: ['1', '2', '3'] },
      { line: 4, fields: ['4', '', '6'] },
    ])
  })

  it('handles quotes, escaped quotes and newlines inside quotes, keeping line numbers right', async () => {
    const rows = await all(['name,desc\n"svc, one","says ""hi""\r\nand more"\nnext,x'])
    expect(rows).toEqual([
      { line: 1, fields: ['name', 'desc'] },
      { line: 2, fields: ['svc, one', 'says "hi"\r\nand more'] },
      { line: 4, fields: ['next', 'x'] },
    ])
  })

  it('is independent of how the input is chunked (quotes, CRLF and UTF-8 split across chunks)', async () => {
    const text = '\ufeffid,name\r\n1,"Zoë ""the"" bot\nline2"\r\n2,plain\r\n3,"ends"'
    const whole = await all([text])
    const bytes = new TextEncoder().encode(text)
    for (const size of [1, 2, 3, 7]) {
      const chunks: Uint8Array[] = []
      for (let i = 0; i < bytes.length; i += size) chunks.push(bytes.slice(i, i + size))
      expect(await all(chunks)).toEqual(whole)
    }
    expect(whole[0]).toEqual({ line: 1, fields: ['id', 'name'] })
    expect(whole[1]).toEqual({ line: 2, fields: ['1', 'Zoë "the" bot\nline2'] })
    expect(whole[2]).toEqual({ line: 4, fields: ['2', 'plain'] })
    expect(whole[3]).toEqual({ line: 5, fields: ['3', 'ends'] })
  })

  it('reports a malformed record with its line number and goes on with the next line', async () => {
    const rows = await all(['a,b\nx,bad"quote\n"closed"junk,2\nok,1\n'])
    expect(rows[1]).toMatchObject({ line: 2, error: expect.stringContaining('unexpected quote') })
    expect(rows[2]).toMatchObject({ line: 3, error: expect.stringContaining('after a closing quote') })
    expect(rows[3]).toEqual({ line: 4, fields: ['ok', '1'] })
  })

  it('reports a quote that is never closed', async () => {
    const rows = await all(['a,b\n1,"open\n2,3\n'])
    expect(rows[1]).toMatchObject({ line: 2, error: expect.stringContaining('never closed') })
    expect(rows).toHaveLength(2)
  })
})

describe('readCsv recovery and limits', () => {
  it('reads lone CR line ends and a CRLF split across chunks', async () => {
    expect(await all(['a,b\r1,2\r', '\n3,"x\r', '\ny"\r4,5'])).toEqual([
      { line: 1, fields: ['a', 'b'] },
      { line: 2, fields: ['1', '2'] },
      { line: 3, fields: ['3', 'x\r\ny'] },
      { line: 5, fields: ['4', '5'] },
    ])
  })

  it('reports a stray quote on a later line of a quoted field and resumes at the next line', async () => {
    const rows = await all(['a,b\n1,"two\nlines"junk,x\n2,ok\n'])
    expect(rows[1]).toMatchObject({ line: 2, error: expect.stringContaining('after a closing quote') })
    expect(rows[2]).toEqual({ line: 4, fields: ['2', 'ok'] })
  })

  it('refuses a row with too many fields, naming its line, and reads the next', async () => {
    const rows = await collect(readCsv(['a,b\n', `${','.repeat(1500)}\n`, 'x,y\n']))
    expect(rows[1]).toEqual({ line: 2, error: expect.stringMatching(/more than 1,000 fields \(1,501\)/) })
    expect(rows[2]).toEqual({ line: 3, fields: ['x', 'y'] })
  })

  it('refuses a row longer than the record limit without holding it, and resumes at the next line', async () => {
    const rows = await collect(readCsv(['a,b\n', 'x'.repeat(3000), 'y'.repeat(3000), '\n"unclosed,', 'z\n'.repeat(5000), 'ok,1\n'], { maxRecordBytes: 4096 }))
    expect(rows[1]).toEqual({ line: 2, error: expect.stringMatching(/longer than 4 KB/) })
    expect(rows[2]).toEqual({ line: 3, error: expect.stringMatching(/missing its closing quote/) })
    // The unclosed quote swallowed the lines up to the limit; reading resumed after them.
    expect(rows[3]).toMatchObject({ fields: ['z'] })
    expect(rows.at(-1)).toEqual({ line: 5003, fields: ['ok', '1'] })
  })

  it('refuses a file with more records than the limit', async () => {
    await expect(collect(readCsv(['a\n1\n2\n3\n'], { maxRecords: 3 }))).rejects.toThrow(/more than 3 rows/)
    expect(await collect(readCsv(['a\n1\n2\n'], { maxRecords: 3 }))).toHaveLength(3)
  })

  it('reads back whatever a CSV writer wrote, however it is chunked (property)', async () => {
    const field = fc.oneof(fc.string(), fc.constantFrom('', '"', '""', ',', '\n', '\r\n', '\r', ' a "b", c ', 'Zoë'))
    const row = fc.array(field, { minLength: 1, maxLength: 6 }).filter((r) => !(r.length === 1 && r[0] === ''))
    await fc.assert(
      fc.asyncProperty(
        fc.array(row, { minLength: 1, maxLength: 12 }),
        fc.integer({ min: 1, max: 17 }),
        fc.constantFrom('\n', '\r\n'),
        async (rows, size, eol) => {
          const text = stringify(rows, { record_delimiter: eol === '\n' ? 'unix' : 'windows', quoted_match: /[\r\n",]|^$/ })
          const bytes = Buffer.from(text)
          const chunks: Uint8Array[] = []
          for (let i = 0; i < bytes.length; i += size) chunks.push(bytes.subarray(i, i + size))
          const read = await all(chunks)
          expect(read.map((r) => r.fields)).toEqual(rows)
          // Each record starts on the line after the previous one ended (line breaks inside fields count).
          let line = 1
          read.forEach((r, k) => {
            expect(r.line).toBe(line)
            line += 1 + rows[k].join(',').split(/\r\n|\r|\n/).length - 1
          })
        },
      ),
      { numRuns: 300 },
    )
  })
})
