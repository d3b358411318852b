import 'server-only'
import { listAuditForTarget } from '@/lib/audit/queries'
import { allows, assertCan, type Ctx, type UserCtx } from '@/lib/auth/org-context'
import { db, type Tx } from '@/lib/db'
import { NotFoundError } from '@/lib/errors'
import { describeFilter } from '@/lib/inventory/describe'
import { IDENTITY_STATUSES, identityFilterSchema, type IdentityFilter, type IdentityListParams } from '@/lib/inventory/schemas'
import { indexedIdentityWhere, SEARCH_ID_LIMIT, searchIdentityIds, type TextMatches } from '@/lib/inventory/search'
import type { Prisma } from '@/lib/generated/sqlite/client'
import { personSelect } from '@/lib/members/person'
import { parseOrgSettings } from '@/lib/settings/schemas'

const NULLABLE_SORTS = new Set(['lastUsedAt', 'oldestSecretAt'])
/** Sorts on a column of a few values: ties in name order, as a person reads a group. */
const GROUPING_SORTS = new Set(['kind', 'environment', 'status'])

/**
 * A list's order: the sort, then the tie-breakers in the same direction, so that one index per sort serves both
 * directions (read backwards for descending) and a deep page skips index entries without sorting anything.
 */
function listOrder(sort: IdentityListParams['sort'], dir: IdentityListParams['dir']): Prisma.IdentityOrderByWithRelationInput[] {
  if (sort === 'name') return [{ name: dir }, { id: dir }]
  if (GROUPING_SORTS.has(sort)) return [{ [sort]: dir }, { name: dir }, { id: dir }]
  return [{ [sort]: dir }, { id: dir }]
}

export async function getOrgSettings(ctx: Pick<Ctx, 'org'>) {
  const org = await db.organization.findUniqueOrThrow({ where: { id: ctx.org.id }, select: { settings: true } })
  return parseOrgSettings(org.settings)
}

/**
 * How the inventory counts without reading a million rows per request:
 * - The organization's identities per (kind, environment, status, source) are kept in IdentityFacet by database
 *   triggers in the same statement as every identity write (see migration identity_search), so the unfiltered total
 *   and every facet number — and the total of a view filtered only by those four — are exact sums of a few cells.
 * - Any other filter (search, owner, team, usage, risk, secret age, finding…) is counted exactly up to COUNT_CAP (or
 *   up to the page being read, when deeper) and shown as "more than 10,000" beyond that; paging needs no total.
 *   Facet numbers under such a filter are given when it matches at most COUNT_CAP identities and left out otherwise.
 */
export const COUNT_CAP = 10_000

type Facets = { kind: Record<string, number>; environment: Record<string, number>; status: Record<string, number>; source: Record<string, number> }
type Cell = { kind: string; environment: string; status: string; sourceId: string; n: number }

/** True when the filter uses only the dimensions IdentityFacet counts (kind, environment, status, source). */
export function onlyFacetFilters(f: IdentityFilter): boolean {
  const { kind: _k, env: _e, status: _s, source: _src, ...rest } = identityFilterSchema.parse(f)
  return Object.values(rest).every((v) => v === undefined || v === '')
}

/** True when the filter is a text search and statuses at most: the text index's answer is then its count. */
function onlyTextAndStatus(f: IdentityFilter): boolean {
  const { kind, env, source } = identityFilterSchema.parse(f)
  return kind.length === 0 && env.length === 0 && source.length === 0 && onlyFacetFilters({ ...f, q: undefined })
}

const cellIn = {
  kind: (f: IdentityFilter, c: Cell) => f.kind.length === 0 || (f.kind as string[]).includes(c.kind),
  environment: (f: IdentityFilter, c: Cell) => f.env.length === 0 || (f.env as string[]).includes(c.environment),
  status: (f: IdentityFilter, c: Cell) => (f.status.length === 0 ? c.status !== 'deleted' : (f.status as string[]).includes(c.status)),
  source: (f: IdentityFilter, c: Cell) => f.source.length === 0 || f.source.includes(c.sourceId),
}

async function facetCells(orgId: string): Promise<Cell[]> {
  return db.identityFacet.findMany({ where: { orgId, n: { gt: 0 } }, select: { kind: true, environment: true, status: true, sourceId: true, n: true } })
}

/**
 * The list's total: exact from the cells; a text search's from what the text index already read (up to the cap); or
 * counted up to the cap (or the page being read, when deeper).
 */
async function countIdentities(
  orgId: string,
  p: IdentityListParams,
  where: Prisma.IdentityWhereInput,
  text: TextMatches | null,
): Promise<{ total: number; atLeast: boolean }> {
  if (onlyFacetFilters(p)) {
    const cells = await facetCells(orgId)
    return { total: cells.filter((c) => Object.values(cellIn).every((ok) => ok(p, c))).reduce((a, c) => a + c.n, 0), atLeast: false }
  }
  if (text && p.page * p.size <= COUNT_CAP && onlyTextAndStatus(p)) {
    return text.more ? { total: SEARCH_ID_LIMIT + 1, atLeast: true } : { total: text.ids.length, atLeast: false }
  }
  const limit = Math.max(COUNT_CAP, p.page * p.size) + 1
  const n = await db.identity.count({ where, take: limit })
  return { total: n, atLeast: n >= limit }
}

export async function listIdentities(ctx: Ctx, p: IdentityListParams) {
  assertCan(ctx, 'identity:read')
  const settings = await getOrgSettings(ctx)
  const { where, text } = await indexedIdentityWhere(ctx.org.id, p, { userId: 'user' in ctx ? ctx.user.id : '', dormantDays: settings.dormantDays })
  const select = {
    ...LIST_COLUMNS,
    source: { select: { id: true, name: true, type: true } },
    owner: { select: personSelect(ctx.org.id) },
    team: { select: { id: true, name: true } },
  } as const
  const [rows, counted] = await Promise.all([identityRows(where, p, select), countIdentities(ctx.org.id, p, where, text)])
  /** totalAtLeast: more identities match than `total - 1` (counting stopped there). */
  return { rows, total: counted.total, totalAtLeast: counted.atLeast, dormantDays: settings.dormantDays }
}

/** The columns of an identity a list row shows (the inventory's and the API's), without its source, owner and team. */
export const LIST_COLUMNS = {
  id: true,
  name: true,
  kind: true,
  environment: true,
  status: true,
  lastUsedAt: true,
  usageReported: true,
  createdAt: true,
  riskScore: true,
  privileged: true,
  grantCount: true,
  credentialCount: true,
  oldestSecretAt: true,
  openFindings: true,
} as const satisfies Prisma.IdentitySelect

/**
 * One page of identities in the list's order — the inventory's and the API's (one way to page): a sort on a column
 * that may be empty in two walks, a deep page ids first, any other page in one read.
 */
export async function identityRows<S extends Prisma.IdentitySelect>(
  where: Prisma.IdentityWhereInput,
  p: Pick<IdentityListParams, 'sort' | 'dir' | 'page' | 'size'>,
  select: S,
) {
  const skip = (p.page - 1) * p.size
  if (NULLABLE_SORTS.has(p.sort)) return nullsLastPage(where, p.sort as 'lastUsedAt' | 'oldestSecretAt', p.dir, skip, p.size, select)
  if (skip >= DEFERRED_FROM) return deferredPage(where, listOrder(p.sort, p.dir), skip, p.size, select)
  return db.identity.findMany({ where, orderBy: listOrder(p.sort, p.dir), skip, take: p.size, select })
}

/** From this offset, a page first reads its ids alone, then their rows (see deferredPage). */
const DEFERRED_FROM = 1_000

/**
 * A deep page (e.g. page 2,000: 99,950 rows skipped) in two reads: the ids of the page from the sort's index alone
 * (the index holds the sort, id and status, so skipping reads no row; PostgreSQL's index-only scan), then those 50
 * rows by id. One read would fetch every skipped row from the table on PostgreSQL (~100,000 heap reads).
 */
async function deferredPage<S extends Prisma.IdentitySelect>(
  where: Prisma.IdentityWhereInput,
  orderBy: Prisma.IdentityOrderByWithRelationInput[],
  skip: number,
  take: number,
  select: S,
) {
  const ids = (await db.identity.findMany({ where, orderBy, skip, take, select: { id: true } })).map((r) => r.id)
  if (ids.length === 0) return []
  // The same order over the 50 rows read by id (id breaks every tie, so it is the order the ids came in).
  return db.identity.findMany({ where: { id: { in: ids } }, orderBy, select })
}

/**
 * A page sorted on a column that may be empty, empty last: the rows with a value in index order, then the empty ones by
 * id. Two index walks instead of one sort of the whole organization (no engine serves NULLS LAST from a plain index).
 */
async function nullsLastPage<S extends Prisma.IdentitySelect>(
  where: Prisma.IdentityWhereInput,
  sort: 'lastUsedAt' | 'oldestSecretAt',
  dir: 'asc' | 'desc',
  skip: number,
  take: number,
  select: S,
) {
  const valued = await db.identity.findMany({ where: { AND: [where, { [sort]: { not: null } }] }, orderBy: [{ [sort]: dir }, { id: dir }], skip, take, select })
  if (valued.length === take) return valued
  // Past the rows with a value: how far into the empty ones this page starts.
  const before = valued.length > 0 || skip === 0 ? 0 : await db.identity.count({ where: { AND: [where, { [sort]: { not: null } }] } })
  const empty = await db.identity.findMany({
    where: { AND: [where, { [sort]: null }] },
    orderBy: { id: 'asc' },
    skip: valued.length > 0 ? 0 : Math.max(0, skip - before),
    take: take - valued.length,
    select,
  })
  return [...valued, ...empty]
}

const facetCache = new Map<string, { at: number; value: Facets | null }>()
const FACET_TTL_MS = 10_000

/** Sums cells into each facet's counts, each facet under the other three facets' filters (a click gives that number). */
function facetsOf(cells: readonly Cell[], f: IdentityFilter): Facets {
  const value: Facets = { kind: {}, environment: {}, status: {}, source: {} }
  const dims = { kind: 'kind', environment: 'environment', status: 'status', source: 'sourceId' } as const
  for (const c of cells) {
    for (const facet of Object.keys(dims) as (keyof typeof dims)[]) {
      const others = (Object.keys(cellIn) as (keyof typeof cellIn)[]).filter((k) => k !== facet)
      if (!others.every((k) => cellIn[k](f, c))) continue
      const v = c[dims[facet]]
      value[facet][v] = (value[facet][v] ?? 0) + c.n
    }
  }
  return value
}

/**
 * Counts per value of each facet, each under every other active filter (so a number matches what a click gives).
 * Filtered by the facet dimensions only: sums of the maintained IdentityFacet cells. Under any other filter: one
 * GROUP BY over the matching rows, only when they are at most COUNT_CAP (null otherwise: the bar shows no numbers);
 * paging and sorting reuse that result for a few seconds.
 */
export async function identityFacets(ctx: UserCtx, f: IdentityFilter): Promise<Facets | null> {
  assertCan(ctx, 'identity:read')
  if (onlyFacetFilters(f)) return facetsOf(await facetCells(ctx.org.id), f)
  const { kind, env, status, source, ...rest } = f
  const cacheKey = JSON.stringify([ctx.org.id, ctx.user.id, f.owner === 'me' ? ctx.user.id : '', kind, env, status, source, rest])
  const hit = facetCache.get(cacheKey)
  if (hit && Date.now() - hit.at < FACET_TTL_MS) return hit.value
  const value = await facetsUnder(ctx, f)
  if (facetCache.size > 500) facetCache.clear()
  facetCache.set(cacheKey, { at: Date.now(), value })
  return value
}

/** Facets under filters beyond the four dimensions: one GROUP BY over the matching rows when they are few enough. */
async function facetsUnder(ctx: UserCtx, f: IdentityFilter): Promise<Facets | null> {
  // A search over the cap under the list's statuses is over it under every status: no numbers, nothing to count.
  if (f.q && onlyTextAndStatus({ ...f, kind: [], env: [], source: [] }) && (await searchIdentityIds(ctx.org.id, f.q, f.status))?.more) return null
  const { dormantDays } = await getOrgSettings(ctx)
  const { kind: _k, env: _e, status: _s, source: _src, ...rest } = f
  const everywhere = { ...rest, kind: [], env: [], source: [], status: [...IDENTITY_STATUSES] }
  const { where, text } = await indexedIdentityWhere(ctx.org.id, everywhere, { userId: ctx.user.id, dormantDays })
  // A search alone: the text index already said whether it is over the cap (no second walk to find out).
  const matching = text && onlyTextAndStatus(everywhere) ? (text.more ? COUNT_CAP + 1 : text.ids.length) : null
  if ((matching ?? (await db.identity.count({ where, take: COUNT_CAP + 1 }))) > COUNT_CAP) return null
  const cube = await db.identity.groupBy({ by: ['kind', 'environment', 'status', 'sourceId'], where, _count: { _all: true } })
  return facetsOf(
    cube.map((r) => ({ kind: r.kind, environment: r.environment, status: r.status, sourceId: r.sourceId, n: r._count._all })),
    f,
  )
}

export async function listFilterOptions(ctx: UserCtx) {
  const [sources, people, teams] = await Promise.all([
    db.source.findMany({ where: { orgId: ctx.org.id }, select: { id: true, name: true, type: true }, orderBy: { name: 'asc' } }),
    db.membership.findMany({
      where: { orgId: ctx.org.id, status: 'active' },
      select: { user: { select: { id: true, name: true, email: true } } },
      orderBy: { user: { name: 'asc' } },
    }),
    db.team.findMany({ where: { orgId: ctx.org.id }, select: { id: true, name: true }, orderBy: { name: 'asc' } }),
  ])
  return { sources, people: people.map((m) => m.user), teams }
}

export async function getIdentityOrThrow(ctx: Ctx, id: string) {
  assertCan(ctx, 'identity:read')
  if (!/^[a-z0-9_-]{1,40}$/i.test(id)) throw new NotFoundError('Identity not found')
  const identity = await db.identity.findFirst({
    where: { id, orgId: ctx.org.id },
    include: {
      source: { select: { id: true, name: true, type: true } },
      owner: { select: { ...personSelect(ctx.org.id), email: true } },
      backupOwner: { select: { ...personSelect(ctx.org.id), email: true } },
      team: { select: { id: true, name: true } },
      tags: { select: { key: true, value: true }, orderBy: { key: 'asc' } },
      credentials: { orderBy: { createdAt: 'desc' }, take: 100 },
      findings: { where: { status: { not: 'resolved' } }, orderBy: { severity: 'asc' } },
    },
  })
  if (!identity) throw new NotFoundError('Identity not found')
  const [grants, activity, audit] = await Promise.all([
    db.grant.findMany({
      where: { identityId: id, orgId: ctx.org.id },
      orderBy: [{ privileged: 'desc' }, { createdAt: 'desc' }],
      take: 500,
      include: { entitlement: { select: { name: true, privileged: true, resource: { select: { name: true, type: true, environment: true } } } } },
    }),
    db.activityEvent.findMany({ where: { identityId: id, orgId: ctx.org.id }, orderBy: { at: 'desc' }, take: 25 }),
    // null: the role may not read audit history (members); the page says so instead of showing it.
    allows(ctx, 'audit:read') ? listAuditForTarget(ctx, id, 25) : Promise.resolve(null),
  ])
  return { identity, grants, activity, audit }
}

/** Empties the facet cache (benchmarks measure the cold query). */
export function resetFacetCache() {
  facetCache.clear()
}

/**
 * A stored filter (a campaign's scope, a bulk job's filter) in words, with the people, sources and teams it names
 * looked up in this organization only; "me" is the person given.
 */
export async function filterInWords(client: Tx | typeof db, orgId: string, raw: unknown, me: string | null): Promise<string[]> {
  const f = identityFilterSchema.parse(raw && typeof raw === 'object' ? raw : {})
  const owner = f.owner && f.owner !== 'me' && f.owner !== 'unowned' ? f.owner : null
  const [users, sources, teams] = await Promise.all([
    owner ? client.membership.findMany({ where: { orgId, userId: owner }, select: { user: { select: { id: true, name: true } } } }) : [],
    f.source.length ? client.source.findMany({ where: { orgId, id: { in: f.source } }, select: { id: true, name: true } }) : [],
    f.team ? client.team.findMany({ where: { orgId, id: f.team }, select: { id: true, name: true } }) : [],
  ])
  const byId = (rows: { id: string; name: string }[]) => Object.fromEntries(rows.map((r) => [r.id, r.name]))
  return describeFilter(f, { users: byId(users.map((m) => m.user)), sources: byId(sources), teams: byId(teams), me })
}
