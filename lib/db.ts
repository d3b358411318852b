import 'server-only'
import { PrismaBetterSqlite3 } from '@prisma/adapter-better-sqlite3'
import { PrismaPg } from '@prisma/adapter-pg'
import { PrismaClient as SqliteClient } from '@/lib/generated/sqlite/client'
import { PrismaClient as PostgresClient } from '@/lib/generated/postgres/client'
import { env } from '@/lib/env'
import { sqliteFile } from '@/lib/db-url'
import { keepPreparedStatements } from '@/lib/sqlite-statements'

// One client type for the whole code base: the two generated clients share the same model API
// because the schema keeps to the subset both engines support.
export type Db = SqliteClient
export type Tx = Parameters<Parameters<Db['$transaction']>[0]>[0]

export type QueryEvent = { query: string; params: string }

/** A client for DATABASE_URL; `onQuery` sees the text and parameters of every statement it sends (the query-plan guard). */
export function createDb(opts: { onQuery?: (e: QueryEvent) => void } = {}): Db {
  const { databaseUrl, databaseProvider } = env()
  const log = opts.onQuery ? [{ emit: 'event' as const, level: 'query' as const }] : []
  let client: Db
  if (databaseProvider === 'sqlite') {
    // Web and worker processes share the file: wait for the other's write transaction rather than fail at 5 s.
    const adapter = new StatementKeepingSqlite({ url: sqliteFile(databaseUrl), timeout: 20_000 }, { timestampFormat: 'unixepoch-ms' })
    client = retryingConflicts(new SqliteClient({ adapter, log }) as unknown as Db)
  } else {
    const adapter = new PrismaPg({ connectionString: databaseUrl, max: 10 })
    client = retryingConflicts(new PostgresClient({ adapter, log }) as unknown as Db)
  }
  if (opts.onQuery) (client.$on as (e: 'query', fn: (e: QueryEvent) => void) => void)('query', opts.onQuery)
  return client
}

/** The better-sqlite3 adapter with each SQL text prepared once per connection (see keepPreparedStatements). */
class StatementKeepingSqlite extends PrismaBetterSqlite3 {
  override async connect() {
    const adapter = await super.connect()
    const connection = (adapter as unknown as { client: SqliteConnection }).client
    keepPreparedStatements(connection)
    sqliteConnections.add(new WeakRef(connection))
    return adapter
  }
}

type SqliteConnection = import('better-sqlite3').Database
const sqliteConnections = new Set<WeakRef<SqliteConnection>>()

/**
 * For a caller inside one of the app's SQLite transactions (`db.$transaction(fn)`): runs a write statement on that
 * transaction's connection directly, without Prisma's round trip (lib/sql/sqlite-insert.ts says why). The connection is
 * found as the only one of this process in a transaction — Prisma's adapter runs one transaction at a time per
 * connection, and the caller's is open — so with none or several (two clients in a test), null: use Prisma.
 */
export function sqliteTransactionWriter(): ((text: string, params: unknown[]) => unknown) | null {
  let found: SqliteConnection | null = null
  for (const ref of sqliteConnections) {
    const c = ref.deref()
    if (!c || !c.open) {
      sqliteConnections.delete(ref)
      continue
    }
    if (!c.inTransaction) continue
    if (found) return null
    found = c
  }
  if (!found) return null
  const c = found
  // keepPreparedStatements' prepare: the statement kept for this text, bound to these parameters.
  return (text, params) => (c.prepare(text) as unknown as { bind(p: unknown[]): { run(): unknown } }).bind(params).run()
}

const CONFLICT_CODES = new Set(['40P01', '40001'])

/**
 * PostgreSQL ends one of two transactions that wait on each other (40P01 deadlock, e.g. a person's change while the
 * nightly findings recompute rewrites the same identities) or that conflict (40001). Its documented remedy is to run the
 * transaction again; Prisma reports the code in different places depending on the statement, hence the walk.
 */
export function isConflictAbort(err: unknown): boolean {
  let e = err as { code?: unknown; meta?: { code?: unknown }; originalCode?: unknown; message?: unknown; cause?: unknown } | undefined
  for (let depth = 0; e && depth < 5; depth++, e = e.cause as typeof e) {
    if (e.code === 'P2034') return true
    if ([e.code, e.meta?.code, e.originalCode].some((c) => typeof c === 'string' && CONFLICT_CODES.has(c))) return true
    if (typeof e.message === 'string' && /Code: `(40P01|40001)`|deadlock detected|could not serialize access/.test(e.message)) return true
  }
  return false
}

/**
 * SQLite refused a write inside a transaction at once: in WAL mode a transaction that began by reading (Prisma's adapter
 * opens transactions with a plain BEGIN) and then writes fails with SQLITE_BUSY_SNAPSHOT, without waiting, when another
 * connection (the worker, say) committed since its first read. SQLite's documented remedy is to run the transaction
 * again. The adapter reports it as a "SocketTimeout" with the SQLite code beside it. Returns the code, or null.
 */
export function sqliteBusyCode(err: unknown): string | null {
  let e = err as { code?: unknown; originalCode?: unknown; meta?: { driverAdapterError?: unknown }; cause?: unknown } | undefined
  for (let depth = 0; e && depth < 6; depth++) {
    for (const c of [e.originalCode, e.code]) if (typeof c === 'string' && c.startsWith('SQLITE_BUSY')) return c
    e = (e.meta?.driverAdapterError ?? e.cause) as typeof e
  }
  return null
}

const CONFLICT_ATTEMPTS = 5

/**
 * Interactive transactions (`$transaction(fn)`) run again, after a short random pause, when PostgreSQL aborted them for
 * a conflict or SQLite refused their write on a stale snapshot: they were rolled back, and their callbacks only talk to the database (mail and webhooks go through jobs).
 * Batch transactions (an array of queries) cannot be re-sent and are left as they are.
 */
function retryingConflicts(client: Db): Db {
  const run = client.$transaction.bind(client) as (arg: unknown, opts?: unknown) => Promise<unknown>
  const retrying = async (arg: unknown, opts?: unknown) => {
    if (typeof arg !== 'function') return run(arg, opts)
    for (let attempt = 1; ; attempt++) {
      const started = Date.now()
      try {
        return await run(arg, opts)
      } catch (err) {
        // A stale snapshot, or a busy SQLite that answered at once rather than after its 20 s wait for the lock.
        const busy = sqliteBusyCode(err)
        const retry = isConflictAbort(err) || busy === 'SQLITE_BUSY_SNAPSHOT' || (busy !== null && Date.now() - started < 1_000)
        if (attempt >= CONFLICT_ATTEMPTS || !retry) throw err
        await new Promise((r) => setTimeout(r, Math.random() * 25 * 2 ** attempt))
      }
    }
  }
  Object.defineProperty(client, '$transaction', { value: retrying, configurable: true, writable: true })
  return client
}

const g = globalThis as unknown as { __custodianDb?: Db }
export const db: Db = g.__custodianDb ?? createDb()
if (!env().isProd) g.__custodianDb = db
