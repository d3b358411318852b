// Bulk helpers on any SqlClient (the app's Prisma connection or the driver's). Each statement carries its rows or
// ids as ONE JSON parameter unpacked by the database (json_each on SQLite, jsonb_array_elements on PostgreSQL):
// binding thousands of separate parameters through Prisma's driver adapter costs ~20 µs each, one JSON string
// almost nothing. The exception: rows inserted inside a transaction on SQLite are bound on its connection directly,
// without Prisma (lib/sql/sqlite-insert.ts).
import { randomBytes } from 'node:crypto'
import { dbValue, inChunks, sql, type Fragment, type SqlClient } from './sql'
import { sqliteInsertRows } from './sqlite-insert'

export type ColType = 'text' | 'date' | 'bool' | 'int'
export type Columns = readonly (readonly [name: string, type: ColType])[]

/** Rows (or ids) per statement of the helpers below. */
export const ROWS_PER_STATEMENT = 5_000

// cuid-like ids: a random per-process prefix (60 bits) plus a counter, so a million ids cost no entropy calls.
const ID_PREFIX = `c${BigInt(`0x${randomBytes(8).toString('hex')}`)
  .toString(36)
  .slice(0, 12)
  .padStart(12, '0')}`
let idCounter = 0
export function newId(): string {
  return `${ID_PREFIX}${(idCounter++).toString(36).padStart(6, '0')}`
}

const PG_CASTS: Record<ColType, string> = { text: '', date: '::timestamp(3)', bool: '::boolean', int: '::integer' }

/**
 * Multi-row INSERT (values in `columns` order); returns the row count. Inside a transaction on SQLite, bound parameters
 * on its connection (sqliteInsertRows); otherwise statements of ROWS_PER_STATEMENT rows carried as one JSON value.
 */
export async function insertRows(s: SqlClient, table: string, columns: Columns, rows: readonly (readonly unknown[])[]): Promise<number> {
  if (!rows.length) return 0
  const write = s.sqliteWriter?.()
  if (write)
    return sqliteInsertRows(
      write,
      table,
      columns.map(([c]) => c),
      rows,
      { dates: columns.map(([, t]) => t === 'date') },
    )
  const pg = s.engine === 'postgresql'
  const into = sql`INSERT INTO ${sql.ident(table)} (${sql.join(columns.map(([c]) => sql.ident(c)))})`
  const select = pg ? sql.raw(columns.map(([, t], i) => `(e->>${i})${PG_CASTS[t]}`).join(',')) : sql.raw(columns.map((_, i) => `value->>${i}`).join(','))
  await inChunks(rows, ROWS_PER_STATEMENT, async (slice) => {
    const payload = sql.json(slice.map((row) => columns.map(([, t], j) => dbValue(row[j], s.engine, t === 'date'))))
    await s.execute(
      // jsonb, not json, on PostgreSQL: `e->>i` on a json value scans the element's text up to column i, once per
      // column, so a row with a long column (a review item's 1.3 KB snapshot) is read again for each column after it.
      // jsonb is parsed once. 5,000 rows (PostgreSQL 15): review-item-shaped 296–513 → 60–85 ms, six short columns
      // 30–41 → 15–16 ms.
      pg ? sql`${into} SELECT ${select} FROM jsonb_array_elements(CAST(${payload} AS jsonb)) AS e` : sql`${into} SELECT ${select} FROM json_each(${payload})`,
    )
  })
  return rows.length
}

/**
 * Ids per look-up on PostgreSQL. The planner costs `= ANY` of n constants as n index probes at random_page_cost each:
 * with 4,000-5,000 it chose a parallel sequential scan of a 300,000-row Credential table (60 ms a statement, where the
 * probes take a few); 1,000 keeps the index until the table is small enough for a scan to be the cheap way.
 */
const PG_IDS_PER_LOOKUP = 1_000

/**
 * The rows of a query over a long id list, in chunks: `where(isIn)` gets the predicate of one chunk's ids, for
 * `"col" ${isIn}` (sql.isIn).
 */
export async function queryIn<T>(s: SqlClient, ids: readonly string[], where: (isIn: Fragment) => Fragment): Promise<T[]> {
  const out: T[] = []
  await inChunks(ids, s.engine === 'postgresql' ? PG_IDS_PER_LOOKUP : ROWS_PER_STATEMENT, async (chunk) => {
    out.push(...(await s.query<T>(where(sql`${sql.isIn(chunk)}`))))
  })
  return out
}
