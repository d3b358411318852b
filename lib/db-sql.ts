import 'server-only'
import { randomBytes } from 'node:crypto'
import type { Tx } from '@/lib/db'
import { env } from '@/lib/env'

// Bulk SQL through Prisma's own connection (so it joins Prisma's transactions). Each statement carries its
// rows or ids as ONE JSON parameter unpacked by the database (json_each on SQLite, json_array_elements on
// PostgreSQL): binding thousands of separate parameters through the driver adapter costs ~20 µs each, a
// single JSON string almost nothing. Values follow Prisma's conventions: SQLite keeps DateTime as epoch ms
// and booleans as 0/1; PostgreSQL gets UTC text cast to timestamp(3).

export type ColType = 'text' | 'date' | 'bool' | 'int'
export type Columns = readonly (readonly [name: string, type: ColType])[]

const ROWS_PER_STATEMENT = 5_000

export const isPg = () => env().databaseProvider === 'postgresql'

// cuid-like ids: a random per-process prefix (60 bits) plus a counter, so a million ids cost no entropy calls.
const ID_PREFIX = `c${BigInt(`0x${randomBytes(8).toString('hex')}`).toString(36).slice(0, 12).padStart(12, '0')}`
let idCounter = 0
export function newId(): string {
  return `${ID_PREFIX}${(idCounter++).toString(36).padStart(6, '0')}`
}

function jsonValue(v: unknown, type: ColType, pg: boolean): unknown {
  if (v === undefined || v === null) return null
  if (type === 'date') {
    const d = v instanceof Date ? v : new Date(v as number)
    return pg ? d.toISOString() : d.getTime()
  }
  if (type === 'bool') return pg ? Boolean(v) : v ? 1 : 0
  return v
}

const PG_CASTS: Record<ColType, string> = { text: '', date: '::timestamp(3)', bool: '::boolean', int: '::integer' }

/** Multi-row INSERT in the given transaction, or outside one when passed the client itself. */
export async function insertRows(tx: Pick<Tx, '$executeRawUnsafe'>, table: string, columns: Columns, rows: readonly (readonly unknown[])[]): Promise<number> {
  if (!rows.length) return 0
  const pg = isPg()
  const colList = columns.map(([c]) => `"${c}"`).join(',')
  const select = pg
    ? `SELECT ${columns.map(([, t], i) => `(e->>${i})${PG_CASTS[t]}`).join(',')} FROM json_array_elements($1::json) AS e`
    : `SELECT ${columns.map((_, i) => `value->>${i}`).join(',')} FROM json_each(?)`
  const sql = `INSERT INTO "${table}" (${colList}) ${select}`
  for (let start = 0; start < rows.length; start += ROWS_PER_STATEMENT) {
    const slice = rows.slice(start, start + ROWS_PER_STATEMENT)
    const payload = slice.map((row) => columns.map(([, t], j) => jsonValue(row[j], t, pg)))
    await tx.$executeRawUnsafe(sql, JSON.stringify(payload))
  }
  return rows.length
}

/** `(subquery of the values in the JSON array parameter number n)`, for `"col" IN ${jsonList(n)}`. */
export function jsonList(n: number): string {
  return isPg() ? `(SELECT json_array_elements_text($${n}::json))` : `(SELECT value FROM json_each(?))`
}

/** Parameter placeholder number n (1-based). */
export function param(n: number): string {
  return isPg() ? `$${n}` : '?'
}

/** Runs fn over ids in chunks. */
export async function inChunks<T>(ids: readonly T[], size: number, fn: (chunk: T[]) => Promise<void>): Promise<void> {
  for (let i = 0; i < ids.length; i += size) await fn(ids.slice(i, i + size))
}

/** Rows of `sql` whose `column IN` list is the ids (chunked); `sql` holds `$LIST` where the list goes and uses params 1..k before it. */
export async function selectIn<T>(tx: Tx, sql: string, before: readonly unknown[], ids: readonly string[]): Promise<T[]> {
  const out: T[] = []
  await inChunks(ids, ROWS_PER_STATEMENT, async (chunk) => {
    out.push(...(await tx.$queryRawUnsafe<T[]>(sql.replace('$LIST', jsonList(before.length + 1)), ...before, JSON.stringify(chunk))))
  })
  return out
}

/** Keeps the denormalized Identity columns (privileged, grantCount, credentialCount, oldestSecretAt) in step with grants and credentials. */
export async function rollupIdentities(tx: Tx, identityIds: readonly string[]): Promise<void> {
  await inChunks(identityIds, ROWS_PER_STATEMENT, async (chunk) => {
    await tx.$executeRawUnsafe(
      `UPDATE "Identity" SET
        "grantCount" = (SELECT COUNT(*) FROM "Grant" g WHERE g."identityId" = "Identity"."id" AND g."status" = 'active'),
        "privileged" = EXISTS (SELECT 1 FROM "Grant" g WHERE g."identityId" = "Identity"."id" AND g."status" = 'active' AND g."privileged" = TRUE),
        "credentialCount" = (SELECT COUNT(*) FROM "Credential" c WHERE c."identityId" = "Identity"."id" AND c."status" <> 'revoked'),
        "oldestSecretAt" = (SELECT MIN(COALESCE(c."lastRotatedAt", c."createdAt")) FROM "Credential" c WHERE c."identityId" = "Identity"."id" AND c."status" = 'active')
       WHERE "id" IN ${jsonList(1)}`,
      JSON.stringify(chunk),
    )
  })
}
