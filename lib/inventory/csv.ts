/**
 * A spreadsheet runs a cell that starts with = + - @ (or a tab or carriage return before one) as a formula: names and
 * ids come from the sources, so anyone who can name an identity could plant one. A leading apostrophe keeps it text.
 */
export function neutraliseCell(value: string): string {
  return /^[=+\-@\t\r]/.test(value) ? `'${value}` : value
}
