import 'server-only'
import { randomBytes } from 'node:crypto'
import { db, type Tx } from '@/lib/db'
import { env } from '@/lib/env'

type Value = string | number | boolean | Date | null

/** A collision-resistant, roughly time-ordered id like Prisma's cuid (c + time + random). */
export function newId(): string {
  return `c${Date.now().toString(36)}${randomBytes(10).toString('hex').slice(0, 16)}`
}

/**
 * Multi-row INSERT for hot bulk paths (Prisma's createMany writes row by row through the SQLite adapter).
 * Rows must name every NOT NULL column without a client-side default, and createdAt where the model has one.
 * Chunks stay under both engines' bound-parameter limits.
 */
export async function insertRows(table: string, columns: string[], rows: Value[][], client: Tx | typeof db = db) {
  if (rows.length === 0) return 0
  const pg = env().databaseProvider === 'postgresql'
  const perRow = columns.length
  const chunk = Math.max(1, Math.floor((pg ? 60_000 : 30_000) / perRow))
  const cols = columns.map((c) => `"${c.replace(/"/g, '')}"`).join(',')
  let written = 0
  for (let s = 0; s < rows.length; s += chunk) {
    const part = rows.slice(s, s + chunk)
    let n = 0
    const values = part.map(() => `(${columns.map(() => (pg ? `$${++n}` : '?')).join(',')})`).join(',')
    written += await client.$executeRawUnsafe(`INSERT INTO "${table.replace(/"/g, '')}" (${cols}) VALUES ${values}`, ...part.flat())
  }
  return written
}
