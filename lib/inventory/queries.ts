import 'server-only'
import { listAuditForTarget } from '@/lib/audit/queries'
import { assertCan, type UserCtx } from '@/lib/auth/org-context'
import { can } from '@/lib/auth/permissions'
import { db, type Tx } from '@/lib/db'
import { NotFoundError } from '@/lib/errors'
import { describeFilter } from '@/lib/inventory/describe'
import { identityFilterSchema, type IdentityFilter, type IdentityListParams } from '@/lib/inventory/schemas'
import { identityWhere } from '@/lib/inventory/where'
import { personSelect } from '@/lib/members/person'
import { parseOrgSettings } from '@/lib/settings/schemas'
import type { Prisma } from '@/lib/generated/sqlite/client'

const NULLABLE_SORTS = new Set(['lastUsedAt', 'oldestSecretAt'])

export async function getOrgSettings(ctx: UserCtx) {
  const org = await db.organization.findUniqueOrThrow({ where: { id: ctx.org.id }, select: { settings: true } })
  return parseOrgSettings(org.settings)
}

export async function listIdentities(ctx: UserCtx, p: IdentityListParams) {
  assertCan(ctx, 'identity:read')
  const settings = await getOrgSettings(ctx)
  const where = identityWhere(ctx.org.id, p, { userId: ctx.user.id, dormantDays: settings.dormantDays })
  const select = {
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
    source: { select: { id: true, name: true, type: true } },
    owner: { select: personSelect(ctx.org.id) },
    team: { select: { id: true, name: true } },
  } as const
  const skip = (p.page - 1) * p.size
  const [rows, total] = await Promise.all([
    NULLABLE_SORTS.has(p.sort)
      ? nullsLastPage(where, p.sort as 'lastUsedAt' | 'oldestSecretAt', p.dir, skip, p.size, select)
      : db.identity.findMany({ where, orderBy: [{ [p.sort]: p.dir }, { id: 'asc' }], skip, take: p.size, select }),
    db.identity.count({ where }),
  ])
  return { rows, total, dormantDays: settings.dormantDays }
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

type Facets = { kind: Record<string, number>; environment: Record<string, number>; status: Record<string, number>; source: Record<string, number> }
const facetCache = new Map<string, { at: number; value: Facets }>()
const FACET_TTL_MS = 10_000

/**
 * Counts per value of each facet, each under every other active filter (so a number matches what a click gives).
 * One GROUP BY over the four facet columns (an index-only scan on the covering index) gives a small cube; each
 * facet is summed from it in memory. Paging and sorting reuse the result for a few seconds.
 */
export async function identityFacets(ctx: UserCtx, f: IdentityFilter): Promise<Facets> {
  assertCan(ctx, 'identity:read')
  const { kind, env, status, source, ...rest } = f
  const cacheKey = JSON.stringify([ctx.org.id, ctx.user.id, f.owner === 'me' ? ctx.user.id : '', kind, env, status, source, rest])
  const hit = facetCache.get(cacheKey)
  if (hit && Date.now() - hit.at < FACET_TTL_MS) return hit.value
  const { dormantDays } = await getOrgSettings(ctx)
  const where = identityWhere(
    ctx.org.id,
    { ...rest, kind: [], env: [], source: [], status: ['active', 'disabled', 'quarantined', 'deleted'] },
    { userId: ctx.user.id, dormantDays },
  )
  const cube = await db.identity.groupBy({ by: ['kind', 'environment', 'status', 'sourceId'], where, _count: { _all: true } })
  const ok = {
    kind: (r: (typeof cube)[number]) => kind.length === 0 || kind.includes(r.kind as (typeof kind)[number]),
    environment: (r: (typeof cube)[number]) => env.length === 0 || env.includes(r.environment as (typeof env)[number]),
    status: (r: (typeof cube)[number]) => (status.length === 0 ? r.status !== 'deleted' : status.includes(r.status as (typeof status)[number])),
    source: (r: (typeof cube)[number]) => source.length === 0 || source.includes(r.sourceId),
  }
  const value: Facets = { kind: {}, environment: {}, status: {}, source: {} }
  const dims = { kind: 'kind', environment: 'environment', status: 'status', source: 'sourceId' } as const
  for (const r of cube) {
    for (const facet of Object.keys(dims) as (keyof typeof dims)[]) {
      const others = (Object.keys(ok) as (keyof typeof ok)[]).filter((k) => k !== facet)
      if (!others.every((k) => ok[k](r))) continue
      const v = r[dims[facet]] as string
      value[facet][v] = (value[facet][v] ?? 0) + r._count._all
    }
  }
  if (facetCache.size > 500) facetCache.clear()
  facetCache.set(cacheKey, { at: Date.now(), value })
  return value
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

export async function getIdentityOrThrow(ctx: UserCtx, id: string) {
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
    can(ctx.role, 'audit:read') ? listAuditForTarget(ctx, id, 25) : Promise.resolve(null),
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
