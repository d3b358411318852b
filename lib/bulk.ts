// Fast bulk writes for scripts (seeding, benchmarks, imports run from the command line). Not for Next code:
// it opens its own connection beside Prisma's. Multi-row INSERTs in transactions on SQLite (better-sqlite3)
// and unnest()-based INSERTs on PostgreSQL (pg), with the value conventions Prisma uses on each engine.
import Database from 'better-sqlite3'
import pg from 'pg'
import { sqliteDate, sqliteFile } from './db-url'

export type BulkEngine = 'sqlite' | 'postgresql'

export interface BulkWriter {
  readonly engine: BulkEngine
  /**
   * Insert rows (values in `columns` order) in batched multi-row statements; returns the row count.
   * DateTime columns take a Date or epoch milliseconds; booleans are converted per engine.
   */
  insert(table: string, columns: readonly string[], rows: readonly (readonly unknown[])[]): Promise<number>
  /** Same as insert, reading each column from objects keyed by column name. */
  insertObjects(table: string, columns: readonly string[], rows: readonly object[]): Promise<number>
  /** Small reads. Write `?` placeholders on both engines. */
  query<T = Record<string, unknown>>(sql: string, params?: readonly unknown[]): Promise<T[]>
  /** Statements without parameters (several may be separated by semicolons). */
  exec(sql: string): Promise<void>
  /** Run fn in one transaction (inserts inside it join it); nested calls join the outer transaction. */
  transaction<T>(fn: () => Promise<T>): Promise<T>
  close(): Promise<void>
}

export interface BulkOptions {
  /** SQLite page cache for the load, in MiB (default 512); reads also go through a 2 GiB memory map */
  cacheMiB?: number
}

type Row = readonly unknown[] | object
const SQLITE_MAX_PARAMS = 32_766
const SQLITE_MAX_ROWS = 128
const PG_ROWS_PER_STATEMENT = 5_000

export const quoteIdent = (name: string) => `"${name.replace(/"/g, '""')}"`

export async function openBulkWriter(databaseUrl: string, opts: BulkOptions = {}): Promise<BulkWriter> {
  let writer: BulkWriter
  if (databaseUrl.startsWith('file:')) writer = openSqlite(databaseUrl, opts)
  else if (/^postgres(ql)?:\/\//.test(databaseUrl)) writer = await openPostgres(databaseUrl)
  else throw new Error(`Unsupported DATABASE_URL "${databaseUrl.slice(0, 40)}": use file:... or postgresql://...`)
  await restoreSuspendedIndexes(writer)
  return writer
}

const SUSPENDED = '"_custodian_bulk_indexes"'

/**
 * Drop the secondary indexes of `tables` for a large load (building an index once is several times cheaper
 * than maintaining it row by row) and return a function that rebuilds them. Primary keys stay. The index
 * definitions are saved in the database first, so a load that dies half-way is repaired by the next
 * openBulkWriter().
 */
export async function suspendIndexes(
  w: BulkWriter,
  tables: readonly string[],
  keep: (index: { name: string; sql: string }) => boolean = () => false,
): Promise<() => Promise<void>> {
  const list = tables.map((t) => `'${t.replace(/'/g, "''")}'`).join(',')
  const indexes = await w.query<{ name: string; sql: string }>(
    w.engine === 'sqlite'
      ? `SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL AND tbl_name IN (${list})`
      : `SELECT i.indexname AS name, i.indexdef AS sql FROM pg_indexes i WHERE i.schemaname = current_schema()
         AND i.tablename IN (${list}) AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conname = i.indexname)`,
  )
  await w.transaction(async () => {
    await w.exec(`CREATE TABLE IF NOT EXISTS ${SUSPENDED} ("name" TEXT PRIMARY KEY, "sql" TEXT NOT NULL)`)
    for (const i of indexes.filter((x) => !keep(x))) {
      await w.query(`INSERT INTO ${SUSPENDED} ("name", "sql") VALUES (?, ?)`, [i.name, i.sql])
      await w.exec(`DROP INDEX ${quoteIdent(i.name)}`)
    }
  })
  return async () => {
    await restoreSuspendedIndexes(w)
  }
}

/** Rebuild indexes dropped by suspendIndexes; returns how many were rebuilt. */
export async function restoreSuspendedIndexes(w: BulkWriter): Promise<number> {
  const exists = await w.query(
    w.engine === 'sqlite'
      ? `SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = '_custodian_bulk_indexes'`
      : `SELECT 1 FROM pg_tables WHERE schemaname = current_schema() AND tablename = '_custodian_bulk_indexes'`,
  )
  if (!exists.length) return 0
  const indexes = await w.query<{ name: string; sql: string }>(`SELECT "name", "sql" FROM ${SUSPENDED}`)
  if (w.engine === 'postgresql') await w.exec(`SET maintenance_work_mem = '512MB'`)
  // one transaction per index, so SQLite can checkpoint its WAL in between
  for (const i of indexes) {
    await w.transaction(async () => {
      await w.exec(i.sql)
      await w.query(`DELETE FROM ${SUSPENDED} WHERE "name" = ?`, [i.name])
    })
  }
  await w.exec(`DROP TABLE ${SUSPENDED}`)
  return indexes.length
}

function sqliteValue(v: unknown): unknown {
  if (v === null || v === undefined) return null
  if (v instanceof Date) return sqliteDate(v)
  if (typeof v === 'boolean') return v ? 1 : 0
  return v
}

function openSqlite(url: string, opts: BulkOptions): BulkWriter {
  const db = new Database(sqliteFile(url))
  db.pragma('journal_mode = WAL')
  db.pragma('synchronous = NORMAL')
  db.pragma(`cache_size = -${(opts.cacheMiB ?? 512) * 1024}`)
  db.pragma('temp_store = MEMORY')
  db.pragma('mmap_size = 2147418112')
  const statements = new Map<string, Database.Statement>()

  const statement = (table: string, columns: readonly string[], rowCount: number) => {
    const key = `${table}\u0000${columns.join(',')}\u0000${rowCount}`
    let stmt = statements.get(key)
    if (!stmt) {
      const tuple = `(${columns.map(() => '?').join(',')})`
      const sql = `INSERT INTO ${quoteIdent(table)} (${columns.map(quoteIdent).join(',')}) VALUES ${new Array(rowCount).fill(tuple).join(',')}`
      stmt = db.prepare(sql)
      statements.set(key, stmt)
    }
    return stmt
  }

  const insertAll = (table: string, columns: readonly string[], rows: readonly Row[], objects: boolean) => {
    const width = columns.length
    const perStatement = Math.max(1, Math.min(SQLITE_MAX_ROWS, Math.floor(SQLITE_MAX_PARAMS / width)))
    for (let start = 0; start < rows.length; start += perStatement) {
      const count = Math.min(perStatement, rows.length - start)
      const params = new Array(count * width)
      let p = 0
      for (let i = start; i < start + count; i++) {
        const row = rows[i]
        if (objects) {
          for (let j = 0; j < width; j++) {
            const v = (row as Record<string, unknown>)[columns[j]]
            params[p++] = typeof v === 'string' || typeof v === 'number' ? v : sqliteValue(v)
          }
        } else {
          if ((row as unknown[]).length !== width) throw new Error(`${table}: row ${i} has ${(row as unknown[]).length} values for ${width} columns`)
          for (let j = 0; j < width; j++) params[p++] = sqliteValue((row as unknown[])[j])
        }
      }
      statement(table, columns, count).run(params)
    }
  }
  const write = (table: string, columns: readonly string[], rows: readonly Row[], objects: boolean) => {
    if (!rows.length) return 0
    if (db.inTransaction) insertAll(table, columns, rows, objects)
    else db.transaction(() => insertAll(table, columns, rows, objects))()
    return rows.length
  }

  const writer: BulkWriter = {
    engine: 'sqlite',
    async insert(table, columns, rows) {
      return write(table, columns, rows, false)
    },
    async insertObjects(table, columns, rows) {
      return write(table, columns, rows, true)
    },
    async query<T>(sql: string, params: readonly unknown[] = []) {
      const stmt = db.prepare(sql)
      const values = params.map(sqliteValue)
      if (stmt.reader) return stmt.all(values) as T[]
      stmt.run(values)
      return []
    },
    async exec(sql) {
      db.exec(sql)
    },
    async transaction(fn) {
      if (db.inTransaction) return fn()
      db.exec('BEGIN')
      try {
        const result = await fn()
        db.exec('COMMIT')
        return result
      } catch (err) {
        if (db.inTransaction) db.exec('ROLLBACK')
        throw err
      }
    },
    async close() {
      statements.clear()
      db.close()
    },
  }
  return writer
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

/** PostgreSQL stores Prisma DateTime as timestamp(3) without time zone holding UTC: send UTC text. */
function pgValue(v: unknown, timestamp = false): unknown {
  if (v === undefined || v === null) return null
  if (v instanceof Date) return v.toISOString()
  if (timestamp && typeof v === 'number') return new Date(v).toISOString()
  return v
}

async function openPostgres(url: string): Promise<BulkWriter> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 10_000 })
  await client.connect()
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
        [quoteIdent(table)],
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
    const text = `INSERT INTO ${quoteIdent(table)} (${columns.map(quoteIdent).join(',')}) SELECT * FROM unnest(${casts.join(',')})`
    for (let start = 0; start < rows.length; start += PG_ROWS_PER_STATEMENT) {
      const end = Math.min(rows.length, start + PG_ROWS_PER_STATEMENT)
      const arrays: unknown[][] = columns.map(() => new Array(end - start))
      for (let i = start; i < end; i++) {
        const row = rows[i]
        if (objects) {
          for (let j = 0; j < columns.length; j++) arrays[j][i - start] = pgValue((row as Record<string, unknown>)[columns[j]], isTimestamp[j])
        } else {
          if ((row as unknown[]).length !== columns.length) throw new Error(`${table}: row ${i} has ${(row as unknown[]).length} values for ${columns.length} columns`)
          for (let j = 0; j < columns.length; j++) arrays[j][i - start] = pgValue((row as unknown[])[j], isTimestamp[j])
        }
      }
      await send({ name, text, values: arrays.map(arrayLiteral) })
    }
  }

  const writer: BulkWriter = {
    engine: 'postgresql',
    async insert(table, columns, rows) {
      if (rows.length) await writer.transaction(() => insertAll(table, columns, rows, false))
      return rows.length
    },
    async insertObjects(table, columns, rows) {
      if (rows.length) await writer.transaction(() => insertAll(table, columns, rows, true))
      return rows.length
    },
    async query<T>(sql: string, params: readonly unknown[] = []) {
      let n = 0
      const text = sql.replace(/\?/g, () => `$${++n}`)
      return (await send(text, params.map((v) => pgValue(v)))).rows as T[]
    },
    async exec(sql) {
      await send(sql)
    },
    async transaction(fn) {
      if (inTransaction) return fn()
      await send('BEGIN')
      inTransaction = true
      try {
        const result = await fn()
        await send('COMMIT')
        return result
      } catch (err) {
        await send('ROLLBACK').catch(() => {})
        throw err
      } finally {
        inTransaction = false
      }
    },
    async close() {
      await client.end()
    },
  }
  return writer
}
