/**
 * Pure helpers for the URL-driven data table. No React, no 'use client':
 * safe to import from Server Components (e.g. to parse `searchParams`).
 */

export type SortDir = 'asc' | 'desc'

/** Search-param names used by the data table. */
export const TABLE_PARAMS = {
  page: 'page',
  pageSize: 'size',
  sort: 'sort',
  dir: 'dir',
  hide: 'hide',
} as const

export const DEFAULT_PAGE_SIZE_OPTIONS = [25, 50, 100] as const

/** The param names of a table; a second table on the same page takes a prefix (`rpage`, `rsize`…). */
export function tableParams(prefix = ''): { [K in keyof typeof TABLE_PARAMS]: string } {
  return { page: `${prefix}page`, pageSize: `${prefix}size`, sort: `${prefix}sort`, dir: `${prefix}dir`, hide: `${prefix}hide` }
}

/** `null` (or '') deletes the param, `undefined` leaves it untouched. */
export type ParamChanges = Record<string, string | number | null | undefined>

export interface BuildHrefOptions {
  /** Reset `page` when another param changes (default true). */
  resetPage?: boolean
  /** The name of the page param (default `page`; a prefixed table's is `rpage`…). */
  pageParam?: string
}

/**
 * Returns `pathname?query` with `changes` applied to `currentParams`.
 * - `null`/'' deletes a param; other params are kept.
 * - Changing any param other than `page` (to a different value) drops `page`,
 *   i.e. back to page 1, unless `page` is also given in `changes`.
 * - `page` <= 1 is removed from the URL (page 1 is the canonical default).
 */
export function buildHref(pathname: string, currentParams: URLSearchParams | string, changes: ParamChanges, options: BuildHrefOptions = {}): string {
  const params = new URLSearchParams(typeof currentParams === 'string' ? currentParams : currentParams.toString())
  const pageParam = options.pageParam ?? TABLE_PARAMS.page
  let otherChanged = false

  for (const [key, raw] of Object.entries(changes)) {
    if (raw === undefined) continue
    const value = raw === null ? '' : String(raw)
    if (key !== pageParam && (params.get(key) ?? '') !== value) otherChanged = true
    if (value === '') params.delete(key)
    else params.set(key, value)
  }

  const explicitPage = changes[pageParam]
  if (explicitPage === undefined && otherChanged && options.resetPage !== false) {
    params.delete(pageParam)
  }
  const page = params.get(pageParam)
  if (page !== null && !(Number(page) > 1)) params.delete(pageParam)

  const query = params.toString()
  return query ? `${pathname}?${query}` : pathname
}

/** Parses the `hide` param ("a,b,c") into a de-duplicated id list. */
export function parseHidden(value: string | null | undefined): string[] {
  if (!value) return []
  return [
    ...new Set(
      value
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean),
    ),
  ]
}

/** Serialises hidden ids for the `hide` param; `null` when nothing is hidden. */
export function serializeHidden(ids: readonly string[]): string | null {
  const unique = [...new Set(ids.filter(Boolean))]
  return unique.length ? unique.join(',') : null
}

export function pageCount(total: number, pageSize: number): number {
  if (total <= 0 || pageSize <= 0) return 1
  return Math.ceil(total / pageSize)
}

/** Clamps a 1-based page into [1, pageCount]. */
export function clampPage(page: number, total: number, pageSize: number): number {
  return Math.min(Math.max(1, Math.floor(page) || 1), pageCount(total, pageSize))
}

type SearchParamsInput = URLSearchParams | Record<string, string | string[] | undefined>

function readParam(input: SearchParamsInput, key: string): string | undefined {
  if (input instanceof URLSearchParams) return input.get(key) ?? undefined
  const value = input[key]
  return Array.isArray(value) ? value[0] : value
}

export interface ParseTableParamsOptions {
  /** Allow-list of sortable column ids; anything else falls back to `defaultSort`. */
  sortableColumns: readonly string[]
  defaultSort?: string
  defaultDir?: SortDir
  pageSizeOptions?: readonly number[]
  defaultPageSize?: number
}

export interface TableParams {
  page: number
  pageSize: number
  sort: string | undefined
  dir: SortDir
  hiddenColumns: string[]
  /** Row offset for the query: (page - 1) * pageSize. */
  offset: number
}

/**
 * Validates table params from `searchParams` (URLSearchParams or the Next.js
 * page `searchParams` record). Page is not clamped (needs the total): use
 * `clampPage` after counting.
 */
export function parseTableParams(input: SearchParamsInput, options: ParseTableParamsOptions): TableParams {
  const sizes = options.pageSizeOptions ?? DEFAULT_PAGE_SIZE_OPTIONS
  const defaultPageSize = options.defaultPageSize ?? sizes[0] ?? 25

  const rawPage = Number(readParam(input, TABLE_PARAMS.page))
  const page = Number.isInteger(rawPage) && rawPage >= 1 ? rawPage : 1

  const rawSize = Number(readParam(input, TABLE_PARAMS.pageSize))
  const pageSize = sizes.includes(rawSize) ? rawSize : defaultPageSize

  const rawSort = readParam(input, TABLE_PARAMS.sort)
  const sort = rawSort && options.sortableColumns.includes(rawSort) ? rawSort : options.defaultSort

  const rawDir = readParam(input, TABLE_PARAMS.dir)
  const dir: SortDir = rawDir === 'asc' || rawDir === 'desc' ? rawDir : (options.defaultDir ?? 'asc')

  const hiddenColumns = parseHidden(readParam(input, TABLE_PARAMS.hide))
  return { page, pageSize, sort, dir, hiddenColumns, offset: (page - 1) * pageSize }
}
