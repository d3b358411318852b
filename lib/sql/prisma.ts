import 'server-only'
import { db, type Db, type Tx } from '@/lib/db'
import { env } from '@/lib/env'
import { render, type SqlClient } from './sql'

const TX_OPTIONS = { timeout: 300_000, maxWait: 60_000 }

/** The app's Prisma client, or one of its transactions, as a SqlClient: statements join Prisma's connection and transaction. */
export function prismaSql(client: Db | Tx = db): SqlClient {
  const engine = env().databaseProvider
  // An interactive transaction's client has no $transaction of its own.
  const inTx = !('$transaction' in client)
  const s: SqlClient = {
    engine,
    // The only $queryRawUnsafe / $executeRawUnsafe of the code base: the text comes from the builder, values are bound.
    async query<T>(q: Parameters<SqlClient['query']>[0]) {
      const { text, params } = render(q, engine)
      return client.$queryRawUnsafe<T[]>(text, ...params)
    },
    async execute(q) {
      const { text, params } = render(q, engine)
      return client.$executeRawUnsafe(text, ...params)
    },
    async transaction(fn) {
      if (inTx) return fn(s)
      return (client as Db).$transaction((tx) => fn(prismaSql(tx)), TX_OPTIONS)
    },
  }
  return s
}
