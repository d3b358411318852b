import { z } from 'zod'
import { DEFAULT_PAGE_SIZE_OPTIONS } from './url-state'

// The page and size part of every list's search params, in one place: the sizes the pager offers are the sizes
// a list accepts. Forgiving, like the rest of a list's state: a bad value falls back to its default. No server imports.

export type PageSize = (typeof DEFAULT_PAGE_SIZE_OPTIONS)[number]
export const MAX_PAGE = 100_000

/** `{ page, size }` to spread into a list's schema (`z.object({ ...filters, ...pageParams(25) })`). */
export function pageParams(defaultSize: PageSize = 50) {
  return {
    page: z.coerce.number().int().min(1).max(MAX_PAGE).catch(1),
    size: z.coerce
      .number()
      .int()
      .refine((n) => (DEFAULT_PAGE_SIZE_OPTIONS as readonly number[]).includes(n))
      .catch(defaultSize),
  }
}

export type SearchParamsRecord = Record<string, string | string[] | undefined>

/** Next's searchParams with one value per key (the first of a repeated key). */
export function firstValues(sp: SearchParamsRecord): Record<string, string | undefined> {
  return Object.fromEntries(Object.entries(sp).map(([k, v]) => [k, Array.isArray(v) ? v[0] : v]))
}

/** One page of an in-memory list (a short list the query returns whole). */
export function pageOf<T>(rows: readonly T[], p: { page: number; size: number }): T[] {
  return rows.slice((p.page - 1) * p.size, p.page * p.size)
}

/** The Prisma `skip`/`take` of one page of a list the database pages. */
export function pageWindow(p: { page: number; size: number }) {
  return { skip: (p.page - 1) * p.size, take: p.size }
}

/** What a list page receives from Next. */
export type ListPageProps = { params: Promise<{ orgSlug: string }>; searchParams: Promise<SearchParamsRecord> }

/**
 * A table's paging and sorting props from its parsed search params and the row count of the whole list.
 * totalAtLeast: counting stopped at `total` (a capped count), so more than `total - 1` rows match.
 */
export function paging(p: { page: number; size: number; sort?: string; dir?: 'asc' | 'desc' }, total: number, totalAtLeast = false) {
  return { total, ...(totalAtLeast ? { totalAtLeast } : {}), page: p.page, pageSize: p.size, sort: p.sort, dir: p.dir }
}
export type Paging = ReturnType<typeof paging>
/** One page of a list as its table receives it: the rows and their paging, spread onto the DataTable. */
export type TablePage<Row> = Paging & { rows: Row[] }
