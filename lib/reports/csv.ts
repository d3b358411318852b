import { neutraliseCell, textCell } from './lines.mjs'

// The cell rules (formula neutralising, quoting) live with the large exports' line writers, which also run on export
// threads in plain JavaScript: one implementation for every CSV of the app.
export { neutraliseCell, textCell }

export type Cell = string | number | boolean | Date | null | undefined

/** A cell as text: dates in UTC ISO 8601, empty for null. */
export function cellText(v: Cell): string {
  if (v === null || v === undefined) return ''
  if (v instanceof Date) return v.toISOString()
  return String(v)
}

/** One cell as written; the common kinds first (a million-row export calls it ten million times). */
function csvCell(v: Cell): string {
  if (typeof v === 'string') return textCell(v)
  if (v === null || v === undefined) return ''
  // An ISO date and true/false never need neutralising or quotes.
  if (v instanceof Date) return v.toISOString()
  if (typeof v === 'boolean') return v ? 'true' : 'false'
  return textCell(String(v))
}

/**
 * One CSV record (RFC 4180, `\n` line ends), every cell neutralised: the one writer of every CSV the app produces.
 * Hand-written rather than csv-stringify because it runs once per row of a million-row export.
 */
export function csvLine(cells: readonly Cell[]): string {
  let out = cells.length ? csvCell(cells[0]) : ''
  for (let i = 1; i < cells.length; i++) out += ',' + csvCell(cells[i])
  return out + '\n'
}

/** Many records at once, as one flat string (join, not a chain of concatenations the encoder must flatten). */
export function csvLines(rows: readonly (readonly Cell[])[]): string {
  const out = new Array<string>(rows.length)
  for (let i = 0; i < rows.length; i++) out[i] = csvLine(rows[i])
  return out.join('')
}
