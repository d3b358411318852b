import { randomBytes } from 'node:crypto'
import path from 'node:path'
import Database from 'better-sqlite3'
import pg from 'pg'

// Straight reads and writes on the database the server under test uses (scripts/test.sh sets DATABASE_URL for both).
const url = process.env.DATABASE_URL ?? `file:${path.resolve('data/custodian.db')}`

export type Row = Record<string, string | number | boolean | Date | null>
export type Statement = { sql: string; args: unknown[] }

export const rowId = (prefix = 'e2e') => `${prefix}${randomBytes(10).toString('hex')}`

/** Runs statements written with `$n` placeholders on either engine; returns each statement's rows. */
export async function runSql(statements: Statement[]): Promise<Row[][]> {
  const conv = (v: unknown) => (v instanceof Date ? v.getTime() : typeof v === 'boolean' ? (v ? 1 : 0) : v)
  if (url.startsWith('file:')) {
    const db = new Database(url.slice('file:'.length))
    try {
      return db.transaction(() =>
        statements.map((s) => {
          // `$n` may repeat: SQLite gets one `?` per occurrence, with its value.
          const args = [...s.sql.matchAll(/\$(\d+)/g)].map((m) => conv(s.args[Number(m[1]) - 1]))
          const st = db.prepare(s.sql.replace(/\$\d+/g, '?'))
          return st.reader ? (st.all(...args) as Row[]) : (st.run(...args), [])
        }),
      )()
    } finally {
      db.close()
    }
  }
  const c = new pg.Client({ connectionString: url })
  await c.connect()
  try {
    await c.query('BEGIN')
    const out: Row[][] = []
    for (const s of statements) out.push((await c.query(s.sql, s.args)).rows)
    await c.query('COMMIT')
    return out
  } catch (err) {
    await c.query('ROLLBACK')
    throw err
  } finally {
    await c.end()
  }
}

export function insertRow(table: string, r: Row): Statement {
  const cols = Object.keys(r)
  return { sql: `INSERT INTO "${table}" (${cols.map((c) => `"${c}"`).join(',')}) VALUES (${cols.map((_, i) => `$${i + 1}`).join(',')})`, args: cols.map((c) => r[c]) }
}

export async function orgIdOf(slug: string): Promise<string> {
  const [[o]] = await runSql([{ sql: `SELECT "id" FROM "Organization" WHERE "slug" = $1`, args: [slug] }])
  return o.id as string
}
