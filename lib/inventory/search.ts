import 'server-only'
import type { IdentityFilter } from '@/lib/inventory/schemas'
import { identityWhere, SEARCH_MIN_SUBSTRING } from '@/lib/inventory/where'
import type { Prisma } from '@/lib/generated/sqlite/client'
import { prismaSql } from '@/lib/sql/prisma'
import { sql } from '@/lib/sql/sql'

/** Up to this many matches, a list reads them from the text index first and pages over `id IN (those)`. */
export const SEARCH_ID_LIMIT = 10_000

/**
 * The organization's identities whose name, external id or a tag contains q, read from the trigram index (SQLite FTS5,
 * PostgreSQL pg_trgm GIN); null when q is too short for it or more than SEARCH_ID_LIMIT match. The plain `search`
 * filter is a check per row (an EXISTS the engines do not turn into an index lookup), fine only where matches are
 * dense, as they are when this gives up.
 */
export async function searchIdentityIds(orgId: string, q: string): Promise<string[] | null> {
  const text = q.toLowerCase()
  if (text.length < SEARCH_MIN_SUBSTRING) return null
  const pattern = `%${text}%`
  const rows = await prismaSql().query<{ id: string }>(
    sql`${sql.byEngine({
      sqlite: sql`SELECT i."id" FROM "IdentitySearchFts" f JOIN "IdentitySearch" s ON s."rowId" = f."rowid" JOIN "Identity" i ON i."id" = s."identityId"
                  WHERE f."body" LIKE ${pattern} AND i."orgId" = ${orgId} LIMIT ${SEARCH_ID_LIMIT + 1}`,
      postgresql: sql`SELECT i."id" FROM "IdentitySearch" s JOIN "Identity" i ON i."id" = s."identityId"
                      WHERE s."body" LIKE ${pattern} AND i."orgId" = ${orgId} LIMIT ${SEARCH_ID_LIMIT + 1}`,
    })}`,
  )
  return rows.length > SEARCH_ID_LIMIT ? null : rows.map((r) => r.id)
}

/** identityWhere for a page that answers now: a text search becomes `id IN (matches from the index)` when they are few. */
export async function indexedIdentityWhere(orgId: string, f: IdentityFilter, opts: Parameters<typeof identityWhere>[2]): Promise<Prisma.IdentityWhereInput> {
  const ids = f.q ? await searchIdentityIds(orgId, f.q) : null
  if (!ids) return identityWhere(orgId, f, opts)
  return { AND: [identityWhere(orgId, { ...f, q: undefined }, opts), { id: { in: ids } }] }
}
