// The bulk loader's own connection for scripts (seeder, benchmarks, e2e fixtures) and the SQLite exports' read connection
// (lib/reports, opened without load settings); never the web app's shared connection: better-sqlite3 or
// pg beside Prisma's connection, as a SqlClient plus a fast multi-row insert (multi-row VALUES on SQLite, unnest() on
// PostgreSQL). Connection-wide load settings (page cache, memory map) stay on this connection.
import Database from 'better-sqlite3'
import pg from 'pg'
import { sqliteFile } from '../db-url'
import { restoreSuspendedIndexes } from './indexes'
import { dbValue, render, sql, type Engine, type Fragment, type SqlClient } from './sql'
import { sqliteInsertRows } from './sqlite-insert'

export interface DriverSql extends SqlClient {
  /**
   * Inserts rows (values in `columns` order) in batched multi-row statements, inside the current transaction or
   * one of its own; returns the row count. DateTime columns take a Date or epoch milliseconds.
   */
  insert(table: string, columns: readonly string[], rows: readonly (readonly unknown[])[]): Promise<number>
  /** Same as insert, reading each column from objects keyed by column name (missing keys are NULL). */
  insertObjects(table: string, columns: readonly string[], rows: readonly object[]): Promise<number>
  close(): Promise<void>
}

export interface DriverOptions {
  /** Tune the connection for a large load (page cache, memory map) and repair a load that died half-way. */
  load?: boolean
  /** SQLite page cache for a load, in MiB (default 512); reads also go through a 2 GiB memory map */
  cacheMiB?: number
}

type Row = readonly unknown[] | object
/** Rows per statement of the loader (the seeder's tables load with their triggers and most indexes suspended). */
const LOAD_MAX_ROWS = 128
const PG_ROWS_PER_STATEMENT = 5_000

const ident = (name: string) => sql.ident(name).strings[0]

export function engineOf(databaseUrl: string): Engine {
  if (databaseUrl.startsWith('file:')) return 'sqlite'
  if (/^postgres(ql)?:\/\//.test(databaseUrl)) return 'postgresql'
  throw new Error(`Unsupported DATABASE_URL "${databaseUrl.slice(0, 40)}": use file:... or postgresql://...`)
}

/** Opens DATABASE_URL with its driver (better-sqlite3 or pg). */
export async function openDriverSql(databaseUrl: string, opts: DriverOptions = {}): Promise<DriverSql> {
  let s: DriverSql
  if (engineOf(databaseUrl) === 'sqlite') {
    // Like the app's own connection (lib/db.ts): wait for another process's write transaction rather than fail at 5 s.
    const db = new Database(sqliteFile(databaseUrl), { timeout: 20_000 })
    if (opts.load) {
      db.pragma('journal_mode = WAL')
      db.pragma('synchronous = NORMAL')
      db.pragma(`cache_size = -${Math.round(opts.cacheMiB ?? 512) * 1024}`)
      db.pragma('temp_store = MEMORY')
      db.pragma('mmap_size = 2147418112')
    }
    s = sqliteSql(db)
  } else {
    const client = new pg.Client({ connectionString: databaseUrl, connectionTimeoutMillis: 10_000 })
    await client.connect()
    s = pgSql(client)
  }
  if (opts.load) await restoreSuspendedIndexes(s)
  return s
}

/** An open better-sqlite3 database as a DriverSql (close() closes it). */
export function sqliteSql(db: Database.Database): DriverSql {
  const statements = new Map<string, Database.Statement>()
  // Reads prepared once per text: an export runs the same page query a thousand times with other parameters.
  const reads = new Map<string, Database.Statement>()
  const prepared = (text: string) => {
    let stmt = reads.get(text)
    if (!stmt) {
      stmt = db.prepare(text)
      if (stmt.reader && reads.size < 32) reads.set(text, stmt)
    }
    return stmt
  }

  // Insert statements prepared once per text (one per table, column list and row count).
  const run = (text: string, params: unknown[]) => {
    let stmt = statements.get(text)
    if (!stmt) statements.set(text, (stmt = db.prepare(text)))
    return stmt.run(params)
  }
  const insertAll = (table: string, columns: readonly string[], rows: readonly Row[], objects: boolean) =>
    sqliteInsertRows(run, table, columns, rows, { objects, maxRows: LOAD_MAX_ROWS })
  const write = (table: string, columns: readonly string[], rows: readonly Row[], objects: boolean) => {
    if (!rows.length) return 0
    if (db.inTransaction) insertAll(table, columns, rows, objects)
    else db.transaction(() => insertAll(table, columns, rows, objects))()
    return rows.length
  }

  const s: DriverSql = {
    engine: 'sqlite',
    async query<T>(q: Fragment) {
      const { text, params } = render(q, 'sqlite')
      const stmt = prepared(text)
      if (stmt.reader) return stmt.all(params) as T[]
      stmt.run(params)
      return []
    },
    async execute(q) {
      const { text, params } = render(q, 'sqlite')
      const stmt = db.prepare(text)
      if (stmt.reader) return (stmt.all(params), 0)
      return stmt.run(params).changes
    },
    async transaction(fn) {
      if (db.inTransaction) return fn(s)
      db.exec('BEGIN')
      try {
        const result = await fn(s)
        db.exec('COMMIT')
        return result
      } catch (err) {
        if (db.inTransaction) db.exec('ROLLBACK')
        throw err
      }
    },
    sqliteWriter: () => run,
    async insert(table, columns, rows) {
      return write(table, columns, rows, false)
    },
    async insertObjects(table, columns, rows) {
      return write(table, columns, rows, true)
    },
    async close() {
      statements.clear()
      db.close()
    },
  }
  return s
}

/** Text form of a one-dimensional array parameter (cheaper than letting pg escape each element). */
function arrayLiteral(values: readonly unknown[]): string {
  const parts = new Array<string>(values.length)
  for (let i = 0; i < values.length; i++) {
    const v = values[i]
    if (v === null || v === undefined) parts[i] = 'NULL'
    else if (typeof v === 'number' || typeof v === 'boolean') parts[i] = String(v)
    else {
      const text = String(v)
      parts[i] = /[\\"]/.test(text) ? `"${text.replace(/[\\"]/g, '\\$&')}"` : `"${text}"`
    }
  }
  return `{${parts.join(',')}}`
}

/** A connected pg client as a DriverSql (close() ends it). */
function pgSql(client: pg.Client): DriverSql {
  // One connection: callers that fire several queries at once are queued here, in call order.
  let tail: Promise<unknown> = Promise.resolve()
  const send = <R extends pg.QueryResultRow = Record<string, unknown>>(query: string | pg.QueryConfig, values?: unknown[]) => {
    const p = tail.then(() => client.query<R>(query, values))
    tail = p.catch(() => {})
    return p
  }
  const columnTypes = new Map<string, Map<string, string>>()
  const statementNames = new Map<string, string>()
  let inTransaction = false

  const typesOf = async (table: string) => {
    let types = columnTypes.get(table)
    if (!types) {
      const res = await send<{ name: string; type: string }>(
        `SELECT a.attname AS name, format_type(a.atttypid, a.atttypmod) AS type FROM pg_attribute a
         WHERE a.attrelid = $1::regclass AND a.attnum > 0 AND NOT a.attisdropped`,
        [ident(table)],
      )
      types = new Map(res.rows.map((r) => [r.name, r.type]))
      columnTypes.set(table, types)
    }
    return types
  }

  const insertAll = async (table: string, columns: readonly string[], rows: readonly Row[], objects: boolean) => {
    const types = await typesOf(table)
    const casts = columns.map((c, i) => {
      const t = types.get(c)
      if (!t) throw new Error(`${table} has no column "${c}"`)
      return `$${i + 1}::${t}[]`
    })
    const isTimestamp = columns.map((c) => types.get(c)!.startsWith('timestamp'))
    const key = `${table}\u0000${columns.join(',')}`
    let name = statementNames.get(key)
    if (!name) {
      name = `bulk_insert_${statementNames.size + 1}`
      statementNames.set(key, name)
    }
    const text = `INSERT INTO ${ident(table)} (${columns.map(ident).join(',')}) SELECT * FROM unnest(${casts.join(',')})`
    for (let start = 0; start < rows.length; start += PG_ROWS_PER_STATEMENT) {
      const end = Math.min(rows.length, start + PG_ROWS_PER_STATEMENT)
      const arrays: unknown[][] = columns.map(() => new Array(end - start))
      for (let i = start; i < end; i++) {
        const row = rows[i]
        if (objects) {
          for (let j = 0; j < columns.length; j++) arrays[j][i - start] = dbValue((row as Record<string, unknown>)[columns[j]], 'postgresql', isTimestamp[j])
        } else {
          if ((row as unknown[]).length !== columns.length)
            throw new Error(`${table}: row ${i} has ${(row as unknown[]).length} values for ${columns.length} columns`)
          for (let j = 0; j < columns.length; j++) arrays[j][i - start] = dbValue((row as unknown[])[j], 'postgresql', isTimestamp[j])
        }
      }
      await send({ name, text, values: arrays.map(arrayLiteral) })
    }
  }

  const s: DriverSql = {
    engine: 'postgresql',
    async query<T>(q: Fragment) {
      const { text, params } = render(q, 'postgresql')
      return (await send(text, params)).rows as T[]
    },
    async execute(q) {
      const { text, params } = render(q, 'postgresql')
      return (await send(text, params)).rowCount ?? 0
    },
    async transaction(fn) {
      if (inTransaction) return fn(s)
      await send('BEGIN')
      inTransaction = true
      try {
        const result = await fn(s)
        await send('COMMIT')
        return result
      } catch (err) {
        await send('ROLLBACK').catch(() => {})
        throw err
      } finally {
        inTransaction = false
      }
    },
    async insert(table, columns, rows) {
      if (rows.length) await s.transaction(() => insertAll(table, columns, rows, false))
      return rows.length
    },
    async insertObjects(table, columns, rows) {
      if (rows.length) await s.transaction(() => insertAll(table, columns, rows, true))
      return rows.length
    },
    async close() {
      await client.end()
    },
  }
  return s
}
