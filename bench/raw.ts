// The raw database driver that benchmarks compare Custodian with: better-sqlite3 or pg, hand-written SQL, `?`
// placeholders on both engines, dates as the app stores them (epoch ms on SQLite, timestamps on PostgreSQL).
import Database from 'better-sqlite3'
import pg from 'pg'

export interface Raw {
  readonly engine: 'sqlite' | 'postgresql'
  all<T = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<T[]>
  one<T = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<T>
  /** A statement that returns no rows (INSERT, UPDATE…): how many rows it changed. */
  run(sql: string, params?: unknown[]): Promise<number>
  close(): Promise<void>
}

export async function openRaw(url: string): Promise<Raw> {
  if (url.startsWith('file:')) {
    const db = new Database(url.slice('file:'.length))
    db.pragma('journal_mode = WAL')
    const bind = (ps: unknown[]) => ps.map((v) => (v instanceof Date ? v.getTime() : typeof v === 'boolean' ? (v ? 1 : 0) : v))
    const all = async <T>(sql: string, ps: unknown[] = []) => db.prepare(sql).all(...bind(ps)) as T[]
    return {
      engine: 'sqlite',
      all,
      one: async <T>(sql: string, ps: unknown[] = []) => (await all<T>(sql, ps))[0],
      run: async (sql: string, ps: unknown[] = []) => db.prepare(sql).run(...bind(ps)).changes,
      close: async () => void db.close(),
    }
  }
  const client = new pg.Client({ connectionString: url })
  await client.connect()
  const all = async <T>(sql: string, ps: unknown[] = []) => {
    let i = 0
    return (
      await client.query(
        sql.replace(/\?/g, () => `$${++i}`),
        ps,
      )
    ).rows as T[]
  }
  return {
    engine: 'postgresql',
    all,
    one: async <T>(sql: string, ps: unknown[] = []) => (await all<T>(sql, ps))[0],
    run: async (sql: string, ps: unknown[] = []) => {
      let i = 0
      return (
        (
          await client.query(
            sql.replace(/\?/g, () => `$${++i}`),
            ps,
          )
        ).rowCount ?? 0
      )
    },
    close: () => client.end(),
  }
}
