import 'server-only'
import { cache } from 'react'
import type { IdentityFilter } from '@/lib/inventory/schemas'
import { identityWhere, SEARCH_MIN_SUBSTRING } from '@/lib/inventory/where'
import type { Prisma } from '@/lib/generated/sqlite/client'
import { prismaSql } from '@/lib/sql/prisma'
import { sql } from '@/lib/sql/sql'

/** Up to this many matches, a list reads them from the text index first and pages over `id IN (those)`. */
export const SEARCH_ID_LIMIT = 10_000

/**
 * What the text index answered for a search, under the filter's statuses: every matching id, or `more` when over
 * SEARCH_ID_LIMIT match (reading stops at one past it, so this is also the count "up to the cap" the list shows).
 */
export type TextMatches = { ids: string[]; more: false } | { ids: null; more: true }

/**
 * The organization's identities whose name, external id or a tag contains q, with one of the filter's statuses (not
 * deleted when it names none, as identityWhere reads it), read from the trigram index (SQLite FTS5, PostgreSQL
 * pg_trgm GIN); null when q is too short for it. The status is checked here so that `more` counts the same rows the
 * list does; the other filters are not (each would read every text match's row: the list's own index walk is cheaper).
 */
export async function searchIdentityIds(orgId: string, q: string, status: IdentityFilter['status'] = []): Promise<TextMatches | null> {
  const text = q.toLowerCase()
  if (text.length < SEARCH_MIN_SUBSTRING) return null
  return textMatches(orgId, text, [...status].sort().join(','))
}

/** Once per server render: the list and its facets ask the same question of the index (React's per-request memo). */
const textMatches = cache(async (orgId: string, text: string, statuses: string): Promise<TextMatches> => {
  const pattern = `%${text}%`
  const statusIn = (alias: 'i' | 's') =>
    statuses ? sql`${sql.raw(alias)}."status" ${sql.isIn(statuses.split(','))}` : sql`${sql.raw(alias)}."status" <> 'deleted'`
  // PostgreSQL keeps each identity's organization and status in IdentitySearch (migration identity_search_org_status),
  // so the first matches come from the trigram index and that table alone, with no lookup of each in Identity.
  const rows = await prismaSql().query<{ id: string }>(
    sql`${sql.byEngine({
      sqlite: sql`SELECT i."id" FROM "IdentitySearchFts" f JOIN "IdentitySearch" s ON s."rowId" = f."rowid" JOIN "Identity" i ON i."id" = s."identityId"
                  WHERE f."body" LIKE ${pattern} AND i."orgId" = ${orgId} AND ${statusIn('i')} LIMIT ${SEARCH_ID_LIMIT + 1}`,
      postgresql: sql`SELECT s."identityId" AS "id" FROM "IdentitySearch" s
                      WHERE s."body" LIKE ${pattern} AND s."orgId" = ${orgId} AND ${statusIn('s')} LIMIT ${SEARCH_ID_LIMIT + 1}`,
    })}`,
  )
  return rows.length > SEARCH_ID_LIMIT ? { ids: null, more: true } : { ids: rows.map((r) => r.id), more: false }
})

/**
 * identityWhere for a page that answers now: a text search becomes `id IN (matches from the index)` when they are few,
 * and stays a check per row (an EXISTS the engines walk in the page's order, fine where matches are dense) when they
 * are many. `text` is what the index said, so a caller can count a search from it instead of walking the rows again.
 */
export async function indexedIdentityWhere(
  orgId: string,
  f: IdentityFilter,
  opts: Parameters<typeof identityWhere>[2],
): Promise<{ where: Prisma.IdentityWhereInput; text: TextMatches | null }> {
  const text = f.q ? await searchIdentityIds(orgId, f.q, f.status) : null
  if (!text?.ids) return { where: identityWhere(orgId, f, opts), text }
  return { where: { AND: [identityWhere(orgId, { ...f, q: undefined }, opts), { id: { in: text.ids } }] }, text }
}
