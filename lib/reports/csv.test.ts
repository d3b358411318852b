import { parse } from 'csv-parse/sync'
import { describe, expect, it } from 'vitest'
import { csvLine, csvLines, neutraliseCell } from './csv'

describe('csv', () => {
  it('neutralises formula cells and nothing else', () => {
    for (const bad of ['=HYPERLINK("http://evil")', '+1+1', '-2+3', '@SUM(A1)', '\t=1', '\r=1']) expect(neutraliseCell(bad)).toBe(`'${bad}`)
    for (const ok of ['svc-payments', 'a=b', '2026-01-01T00:00:00.000Z', '', '42']) expect(neutraliseCell(ok)).toBe(ok)
  })

  it('writes records a CSV parser reads back cell for cell, formulas as text', () => {
    const rows = [
      ['plain', 'with,comma', 'with "quotes"', 'two\nlines', '=1+1', '-5', null, true, 3, new Date('2026-01-02T03:04:05Z')],
      ['@x', '\r\n', '', 'é ü', '+', 'a@b', undefined, false, 0, null],
    ]
    const back = parse(csvLines(rows)) as string[][]
    expect(back).toEqual([
      ['plain', 'with,comma', 'with "quotes"', 'two\nlines', "'=1+1", "'-5", '', 'true', '3', '2026-01-02T03:04:05.000Z'],
      ["'@x", "'\r\n", '', 'é ü', "'+", 'a@b', '', 'false', '0', ''],
    ])
    expect(csvLine(['a', 'b'])).toBe('a,b\n')
  })
})
