// Multi-row INSERT with bound parameters on a better-sqlite3 connection: the loader's connection (lib/sql/driver.ts)
// and the app's own connection inside one of its transactions (lib/sql/bulk.ts insertRows). On the app's connection
// this replaces a statement through Prisma carrying the rows as one JSON text: Prisma serializes its raw parameters to
// JSON and parses them back (the 1.5 MB text of 5,000 identity rows escaped and read twice), and SQLite then reads each
// row's JSON once per column. 100,000 new identities through the API's bulk upsert: see bench/results (session 20).
import { MAX_PARAMS, dbValue, sql } from './sql'

/**
 * Rows per statement at most, inside a transaction of the app: each statement on a table with triggers costs SQLite a
 * statement journal and the triggers' set-up: the INSERTs of 100,000 identities (the API's bulk upsert, alternated) took
 * 3.25–3.5 s in 128-row statements, 2.8–3.2 s in 512-row ones and 2.78–2.84 s in 1,024-row ones. Fewer where a row
 * has many columns (MAX_PARAMS bound values at most).
 */
export const SQLITE_MAX_ROWS = 1_024

type Row = readonly unknown[] | object
const ident = (name: string) => sql.ident(name).strings[0]
const texts = new Map<string, string>()

/** The statement for `count` rows, built once per table, column list and row count. */
function insertText(table: string, columns: readonly string[], count: number): string {
  const key = `${table}\u0000${columns.join(',')}\u0000${count}`
  let text = texts.get(key)
  if (!text) {
    const tuple = `(${columns.map(() => '?').join(',')})`
    text = `INSERT INTO ${ident(table)} (${columns.map(ident).join(',')}) VALUES ${new Array(count).fill(tuple).join(',')}`
    if (texts.size > 256) texts.clear()
    texts.set(key, text)
  }
  return text
}

/**
 * Inserts rows (arrays in `columns` order, or objects keyed by column name when `objects`) with `run(text, params)`,
 * inside the connection's current transaction, at most `maxRows` (default SQLITE_MAX_ROWS) a statement; returns the row
 * count. Values as the app stores them on SQLite: a Date (or, in a column flagged in `dates`, epoch milliseconds or an
 * ISO text) as epoch milliseconds, a boolean as 0 or 1.
 */
export function sqliteInsertRows(
  run: (text: string, params: unknown[]) => unknown,
  table: string,
  columns: readonly string[],
  rows: readonly Row[],
  opts: { objects?: boolean; dates?: readonly boolean[]; maxRows?: number } = {},
): number {
  const width = columns.length
  const dates = opts.dates
  const most = Math.max(1, Math.min(opts.maxRows ?? SQLITE_MAX_ROWS, Math.floor(MAX_PARAMS / width)))
  // The rest after the full statements goes in statements of 128, 16 and 1 rows: a few texts per table to prepare and
  // keep, not one per remainder.
  const sizes = [most, 128, 16, 1].filter((n) => n <= most)
  for (let start = 0; start < rows.length;) {
    const count = sizes.find((n) => n <= rows.length - start)!
    const params = new Array(count * width)
    let p = 0
    for (let i = start; i < start + count; i++) {
      const row = rows[i]
      const array = opts.objects ? null : (row as readonly unknown[])
      if (array && array.length !== width) throw new Error(`${table}: row ${i} has ${array.length} values for ${width} columns`)
      for (let j = 0; j < width; j++) {
        const v = array ? array[j] : (row as Record<string, unknown>)[columns[j]]
        params[p++] = typeof v === 'string' && !dates?.[j] ? v : dbValue(v, 'sqlite', dates?.[j])
      }
    }
    run(insertText(table, columns, count), params)
    start += count
  }
  return rows.length
}
