/**
 * A spreadsheet runs a cell that starts with = + - @ (or a tab or carriage return before one) as a formula: names and
 * ids come from the sources, so anyone who can name an identity could plant one. A leading apostrophe keeps it text.
 */
export function neutraliseCell(value: string): string {
  return /^[=+\-@\t\r]/.test(value) ? `'${value}` : value
}

export type Cell = string | number | boolean | Date | null | undefined

/** A cell as text: dates in UTC ISO 8601, empty for null. */
export function cellText(v: Cell): string {
  if (v === null || v === undefined) return ''
  if (v instanceof Date) return v.toISOString()
  return String(v)
}

/**
 * One CSV record (RFC 4180, `\n` line ends), every cell neutralised: the one writer of every CSV the app produces.
 * Hand-written rather than csv-stringify because it runs once per row of a million-row export.
 */
export function csvLine(cells: readonly Cell[]): string {
  const out = new Array<string>(cells.length)
  for (let i = 0; i < cells.length; i++) {
    const text = neutraliseCell(cellText(cells[i]))
    out[i] = /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text
  }
  return out.join(',') + '\n'
}

/** Many records at once, as one flat string (join, not a chain of concatenations the encoder must flatten). */
export function csvLines(rows: readonly (readonly Cell[])[]): string {
  const out = new Array<string>(rows.length)
  for (let i = 0; i < rows.length; i++) out[i] = csvLine(rows[i])
  return out.join('')
}
