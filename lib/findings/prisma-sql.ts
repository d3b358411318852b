import 'server-only'
import { db, type Tx } from '@/lib/db'
import { env } from '@/lib/env'
import type { Sql } from '@/lib/findings/sql'

/** `?` placeholders to `$n` for PostgreSQL, leaving quoted literals alone. */
export function numberPlaceholders(text: string): string {
  let out = ''
  let n = 0
  let quoted = false
  for (const ch of text) {
    if (ch === "'") quoted = !quoted
    out += ch === '?' && !quoted ? `$${++n}` : ch
  }
  return out
}

const READS = /^\s*(select|with)\b|\breturning\b/i

/** Prisma (the app's client or one of its transactions) seen as an Sql. */
export function prismaSql(client: typeof db | Tx = db, inTx = false): Sql {
  const engine = env().databaseProvider
  const s: Sql = {
    engine,
    async query<T>(text: string, params: readonly unknown[] = []) {
      const sql = engine === 'postgresql' ? numberPlaceholders(text) : text
      if (READS.test(text)) return (await client.$queryRawUnsafe(sql, ...params)) as T[]
      await client.$executeRawUnsafe(sql, ...params)
      return []
    },
    async transaction(fn) {
      if (inTx) return fn(s)
      return (client as typeof db).$transaction((tx) => fn(prismaSql(tx, true)), { timeout: 300_000, maxWait: 60_000 })
    },
  }
  return s
}
