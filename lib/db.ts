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

function create(): Db {
  const { databaseUrl, databaseProvider } = env()
  if (databaseProvider === 'sqlite') {
    // Web and worker processes share the file: wait for the other's write transaction rather than fail at 5 s.
    const adapter = new PrismaBetterSqlite3({ url: sqliteFile(databaseUrl), timeout: 20_000 }, { timestampFormat: 'unixepoch-ms' })
    return new SqliteClient({ adapter })
  }
  const adapter = new PrismaPg({ connectionString: databaseUrl, max: 10 })
  return new PostgresClient({ adapter }) as unknown as Db
}

const g = globalThis as unknown as { __custodianDb?: Db }
export const db: Db = g.__custodianDb ?? create()
if (!env().isProd) g.__custodianDb = db
