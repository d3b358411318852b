import { filterToSearchParams, identityFilterSchema, identityListSchema, type IdentityFilter, type IdentityListParams } from '@/lib/inventory/schemas'

// The inventory's URL is its state: filters, sort, page size and hidden columns. One reading of it for the page,
// the filter bar, saved views, the CSV export and "Review these", so each sees the same view. No server imports.

export const HIDEABLE_COLUMNS = [
  'kind',
  'source',
  'environment',
  'owner',
  'lastUsedAt',
  'oldestSecretAt',
  'grantCount',
  'riskScore',
  'status',
  'createdAt',
] as const
export type HideableColumn = (typeof HIDEABLE_COLUMNS)[number]

/** Filters that take several values: canonically one comma-separated param (`kind=api_key,bot`); repeated params are accepted too. */
export const MULTI_VALUE_PARAMS = ['kind', 'env', 'status', 'source'] as const
export const FILTER_PARAMS = Object.keys(identityFilterSchema.shape) as (keyof IdentityFilter)[]
const DEFAULTS = identityListSchema.parse({})

type RawParams = URLSearchParams | Record<string, string | string[] | undefined>

/** One string per param: repeated multi-value params are joined with commas, other repeated params keep their first value. */
export function flattenParams(input: RawParams): Record<string, string> {
  const out: Record<string, string> = {}
  const entries: [string, string[]][] =
    input instanceof URLSearchParams
      ? [...new Set(input.keys())].map((k) => [k, input.getAll(k)])
      : Object.entries(input).flatMap(([k, v]) => (v === undefined ? [] : [[k, Array.isArray(v) ? v : [v]] as [string, string[]]]))
  for (const [k, values] of entries) {
    if (values.length === 0) continue
    out[k] = (MULTI_VALUE_PARAMS as readonly string[]).includes(k) ? values.join(',') : values[0]
  }
  return out
}

/** The values of a multi-value param as a list (`kind=api_key,bot` or `kind=api_key&kind=bot`). */
export function paramValues(input: URLSearchParams, key: string): string[] {
  return input
    .getAll(key)
    .flatMap((v) => v.split(','))
    .map((s) => s.trim())
    .filter(Boolean)
}

export function parseHide(value: string | undefined): HideableColumn[] {
  return [...new Set((value ?? '').split(','))].filter((c): c is HideableColumn => (HIDEABLE_COLUMNS as readonly string[]).includes(c))
}

/** Parses the inventory's search params forgivingly (unknown values fall back to defaults). */
export function parseInventoryView(input: RawParams): { params: IdentityListParams; hide: HideableColumn[] } {
  const flat = flattenParams(input)
  return { params: identityListSchema.parse(flat), hide: parseHide(flat.hide) }
}

/** The filter part of the view only (what a campaign scope, a bulk action or an export takes). */
export function parseInventoryFilter(input: RawParams): IdentityFilter {
  return identityFilterSchema.parse(flattenParams(input))
}

/**
 * The canonical params of a view: valid filters, then sort, direction, page size and hidden columns when they
 * differ from the defaults. The page number is not part of a view. Two URLs showing the same view give the same params.
 */
export function canonicalViewParams(input: RawParams): Record<string, string> {
  const { params, hide } = parseInventoryView(input)
  const out = Object.fromEntries(filterToSearchParams(filterOnly(params)))
  if (params.sort !== DEFAULTS.sort || params.dir !== DEFAULTS.dir) {
    out.sort = params.sort
    out.dir = params.dir
  }
  if (params.size !== DEFAULTS.size) out.size = String(params.size)
  if (hide.length) out.hide = hide.join(',')
  return out
}

/** The canonical filter params of a view, as a query string without `?` (empty when nothing filters). */
export function filterQuery(input: RawParams): string {
  return filterToSearchParams(parseInventoryFilter(input)).toString()
}

function filterOnly(p: IdentityListParams): IdentityFilter {
  return Object.fromEntries(FILTER_PARAMS.map((k) => [k, p[k]])) as IdentityFilter
}
