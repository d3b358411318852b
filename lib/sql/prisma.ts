import 'server-only'
import { db, sqliteTransactionWriter, type Db, type Tx } from '@/lib/db'
import { env } from '@/lib/env'
import { render, sql, type Fragment, type SqlClient } from './sql'

const TX_OPTIONS = { timeout: 300_000, maxWait: 60_000 }

/**
 * The app's Prisma client as a SqlClient, or, given one, an interactive transaction of it: statements then join
 * that transaction (and transaction() joins it too).
 */
export function prismaSql(tx?: Tx): SqlClient {
  const engine = env().databaseProvider
  const client: Db | Tx = tx ?? db
  const s: SqlClient = {
    engine,
    // The only $queryRawUnsafe / $executeRawUnsafe of the code base: the text comes from the builder, values are bound.
    async query<T>(q: Fragment) {
      const { text, params } = render(q, engine)
      return client.$queryRawUnsafe<T[]>(text, ...params)
    },
    async execute(q) {
      const { text, params } = render(q, engine)
      return client.$executeRawUnsafe(text, ...params)
    },
    async transaction(fn) {
      if (tx) return fn(s)
      return db.$transaction((inner) => fn(prismaSql(inner)), TX_OPTIONS)
    },
    // Only inside a transaction: its connection is then this process's one connection in a transaction.
    sqliteWriter: () => (tx && engine === 'sqlite' ? sqliteTransactionWriter() : null),
  }
  return s
}

/**
 * SQLite: takes the write lock at the start of an interactive transaction that reads before it writes. Prisma opens
 * transactions with a plain BEGIN, so such a transaction fails with SQLITE_BUSY_SNAPSHOT, without waiting, when another
 * connection commits between its first read and its first write; the retries in lib/db.ts cannot help a long one beside
 * a web server that writes every few milliseconds (an import of 100,000 rows failed so, every attempt). A write
 * statement that matches nothing takes the lock first, waiting for it as any write does. PostgreSQL needs nothing.
 */
export async function beginWrite(tx: Tx): Promise<void> {
  if (env().databaseProvider !== 'sqlite') return
  await prismaSql(tx).execute(sql`UPDATE "Organization" SET "id" = "id" WHERE 0`)
}

let pageCacheRuns = 0
let pageCacheBefore: number | null = null

/**
 * Runs fn with a bigger SQLite page cache on the app's connection. That connection is shared by every request or job
 * of the process, so the previous size comes back when the last such run ends: the setting never outlives them.
 */
export async function withSqlitePageCache<T>(mib: number, fn: () => Promise<T>): Promise<T> {
  const s = prismaSql()
  if (s.engine !== 'sqlite') return fn()
  const first = pageCacheRuns++ === 0
  try {
    if (first) {
      const [row] = await s.query<{ cache_size: unknown }>(sql`PRAGMA cache_size`)
      pageCacheBefore = Math.trunc(Number(row?.cache_size))
      // PRAGMA takes no bound parameters: the value is a number computed here.
      await s.execute(sql.raw(`PRAGMA cache_size = ${-Math.round(mib * 1024)}`))
    }
    return await fn()
  } finally {
    if (--pageCacheRuns === 0 && pageCacheBefore !== null) {
      const before = Number.isFinite(pageCacheBefore) ? pageCacheBefore : -2000
      pageCacheBefore = null
      await s.execute(sql.raw(`PRAGMA cache_size = ${before}`))
    }
  }
}
