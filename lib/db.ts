import 'server-only'
import { PrismaBetterSqlite3 } from '@prisma/adapter-better-sqlite3'
import { PrismaPg } from '@prisma/adapter-pg'
import { PrismaClient as SqliteClient } from '@/lib/generated/sqlite/client'
import { PrismaClient as PostgresClient } from '@/lib/generated/postgres/client'
import { env } from '@/lib/env'
import { sqliteFile } from '@/lib/db-url'

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
    const adapter = new PrismaBetterSqlite3({ url: sqliteFile(databaseUrl), timeout: 20_000 }, { timestampFormat: 'unixepoch-ms' })
    client = new SqliteClient({ adapter, log })
  } else {
    const adapter = new PrismaPg({ connectionString: databaseUrl, max: 10 })
    client = new PostgresClient({ adapter, log }) as unknown as Db
  }
  if (opts.onQuery) (client.$on as (e: 'query', fn: (e: QueryEvent) => void) => void)('query', opts.onQuery)
  return client
}

const g = globalThis as unknown as { __custodianDb?: Db }
export const db: Db = g.__custodianDb ?? createDb()
if (!env().isProd) g.__custodianDb = db
