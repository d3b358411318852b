import 'server-only'
import { db, type Db, type Tx } from '@/lib/db'
import { env } from '@/lib/env'
import { render, type Fragment, type SqlClient } from './sql'

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
  }
  return s
}
