import { describe, expect, it } from 'vitest'
import { readCsv } from './csv'

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
