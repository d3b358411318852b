import 'server-only'
import { assertCan, type Ctx } from '@/lib/auth/org-context'
import { db } from '@/lib/db'
import { NotFoundError, ValidationError } from '@/lib/errors'
import { HTTP_METHODS, principalLabel } from '@/lib/gateway/schemas'
import { GATEWAY_CALL_SCOPE } from '@/lib/gateway/schemas'
import { stringsOf } from '@/lib/json'
import { tokenStatus } from '@/lib/api-tokens/schemas'
import { displayPrefix } from '@/lib/api-tokens/format'

const DAY = 86_400_000
const HOUR = 3_600_000
export const CALLER_DAYS = 30
/** The route page lists this many of its busiest callers. */
export const CALLERS_SHOWN = 100

/** The first of the last `days` days (UTC), today included: where a window over the daily cells starts. */
function firstDay(now: Date = new Date(), days: number = CALLER_DAYS): Date {
  return new Date(Math.floor(now.getTime() / DAY) * DAY - (days - 1) * DAY)
}

function hostOf(url: string) {
  try {
    return new URL(url).host
  } catch {
    return url
  }
}

/** The organization's routes for the routes table: rules, and calls in the last 24 hours from the hourly cells. */
export async function listRoutes(ctx: Ctx, now = new Date()) {
  assertCan(ctx, 'source:read')
  const orgId = ctx.org.id
  const routes = await db.gatewayRoute.findMany({
    where: { orgId },
    orderBy: [{ pathPrefix: 'asc' }],
    take: 1000,
    include: { resource: { select: { environment: true } }, _count: { select: { rules: true } } },
  })
  // The last 24 hours as whole hours (this one included), summed from the maintained hourly cells: a few rows per route,
  // whatever the traffic.
  const perRoute = await db.gatewayCallHour.groupBy({
    by: ['routeKey'],
    where: { orgId, hour: { gte: new Date(Math.floor(now.getTime() / HOUR) * HOUR - 23 * HOUR) } },
    _sum: { calls: true, refused: true },
  })
  const sums = new Map(perRoute.map((c) => [c.routeKey, c._sum]))
  return routes.map((r) => ({
    id: r.id,
    name: r.name,
    pathPrefix: r.pathPrefix,
    upstreamUrl: r.upstreamUrl,
    upstreamHost: hostOf(r.upstreamUrl),
    authKind: r.authKind,
    environment: r.resource.environment,
    status: r.status,
    rules: r._count.rules,
    calls24h: sums.get(r.id)?.calls ?? 0,
    refused24h: sums.get(r.id)?.refused ?? 0,
    createdAt: r.createdAt,
    updatedAt: r.updatedAt,
  }))
}
export type RouteRow = Awaited<ReturnType<typeof listRoutes>>[number]

/** One route by id in this organization (NotFound otherwise), without its rules and calls: the API's read. */
export async function getRoute(ctx: Ctx, routeId: string) {
  assertCan(ctx, 'source:read')
  const r = await db.gatewayRoute.findFirst({
    where: { id: routeId, orgId: ctx.org.id },
    include: { resource: { select: { id: true, environment: true } }, _count: { select: { rules: true } } },
  })
  if (!r) throw new NotFoundError('Route not found')
  const { resource, _count, ...rest } = r
  return { ...rest, environment: resource.environment, upstreamHost: hostOf(r.upstreamUrl), rules: _count.rules }
}
export type RouteDetail = Awaited<ReturnType<typeof getRoute>>

/** A route's rules with who they reach and how many of those grants are active or revoked. */
export async function listRules(ctx: Ctx, routeId: string) {
  assertCan(ctx, 'source:read')
  const orgId = ctx.org.id
  const route = await db.gatewayRoute.findFirst({ where: { id: routeId, orgId }, select: { id: true } })
  if (!route) throw new NotFoundError('Route not found')
  const rules = await db.gatewayRule.findMany({
    where: { orgId, routeId },
    orderBy: [{ createdAt: 'asc' }, { id: 'asc' }],
    include: {
      identity: { select: { id: true, name: true } },
      team: { select: { id: true, name: true } },
      entitlement: { select: { id: true, name: true, privileged: true } },
    },
  })
  const grants = await db.grant.groupBy({
    by: ['entitlementId', 'status'],
    where: { orgId, entitlementId: { in: rules.map((r) => r.entitlementId) } },
    _count: { _all: true },
  })
  const n = (entitlementId: string, status: string) => grants.find((g) => g.entitlementId === entitlementId && g.status === status)?._count._all ?? 0
  return rules.map((r) => ({
    id: r.id,
    routeId: r.routeId,
    principalType: r.principalType,
    principal: principalLabel(r),
    identity: r.identity,
    team: r.team,
    tagKey: r.tagKey,
    tagValue: r.tagValue,
    methods: stringsOf(r.methods),
    paths: stringsOf(r.paths),
    entitlementId: r.entitlementId,
    entitlementName: r.entitlement.name,
    privileged: r.entitlement.privileged,
    activeGrants: n(r.entitlementId, 'active'),
    revokedGrants: n(r.entitlementId, 'revoked'),
    createdAt: r.createdAt,
  }))
}
export type RuleRow = Awaited<ReturnType<typeof listRules>>[number]

const CALL_SELECT = {
  id: true,
  at: true,
  method: true,
  path: true,
  status: true,
  latencyMs: true,
  bytesIn: true,
  bytesOut: true,
  decision: true,
  ruleId: true,
  reason: true,
  sourceIp: true,
  requestId: true,
  identity: { select: { id: true, name: true } },
  route: { select: { id: true, name: true, pathPrefix: true } },
} as const

/** The route page: settings, rules, the identities that called it in the last `days` days, and its latest calls. */
export async function getRouteOrThrow(ctx: Ctx, routeId: string, opts: { days?: number; now?: Date } = {}) {
  const route = await getRoute(ctx, routeId)
  const orgId = ctx.org.id
  const [rules, byIdentity, recentCalls] = await Promise.all([
    listRules(ctx, routeId),
    db.gatewayCallDay.groupBy({
      by: ['identityKey'],
      where: { orgId, routeKey: routeId, day: { gte: firstDay(opts.now, opts.days) }, calls: { gt: 0 } },
      _sum: { calls: true, refused: true },
      _max: { lastAt: true },
    }),
    db.gatewayCall.findMany({ where: { orgId, routeId }, orderBy: [{ at: 'desc' }, { id: 'desc' }], take: 50, select: CALL_SELECT }),
  ])
  // The busiest callers first; a route called by thousands of identities shows the first CALLERS_SHOWN and says how many.
  const busiest = byIdentity
    .filter((c) => (c._sum.calls ?? 0) > 0)
    .sort((a, b) => (b._sum.calls ?? 0) - (a._sum.calls ?? 0) || a.identityKey.localeCompare(b.identityKey))
  const shown = busiest.slice(0, CALLERS_SHOWN)
  const ids = shown.map((c) => c.identityKey).filter((x) => x !== '')
  const names = new Map((await db.identity.findMany({ where: { orgId, id: { in: ids } }, select: { id: true, name: true } })).map((i) => [i.id, i.name]))
  const callers = shown.map((c) => ({
    identityId: c.identityKey || null,
    name: c.identityKey ? (names.get(c.identityKey) ?? 'Unknown identity') : 'Unauthenticated',
    calls: c._sum.calls ?? 0,
    denied: c._sum.refused ?? 0,
    lastCallAt: c._max.lastAt,
  }))
  return { route, rules, callers, callerCount: busiest.length, recentCalls, days: opts.days ?? CALLER_DAYS }
}
export type RoutePage = Awaited<ReturnType<typeof getRouteOrThrow>>

type CallCursor = { at: string; id: string }
function encodeCallCursor(c: CallCursor) {
  return Buffer.from(JSON.stringify(c)).toString('base64url')
}
function decodeCallCursor(s: string): CallCursor {
  try {
    const v = JSON.parse(Buffer.from(s, 'base64url').toString('utf8'))
    if (typeof v?.at === 'string' && typeof v?.id === 'string' && !Number.isNaN(Date.parse(v.at))) return v
  } catch {
    // fall through
  }
  throw new ValidationError('The cursor is not valid. Pass `nextCursor` from the previous page unchanged.', { cursor: ['Invalid cursor.'] })
}

/** Recorded calls, newest first, of an identity and/or a route, paged by a keyset cursor (stable while calls arrive). */
export async function listGatewayCalls(ctx: Ctx, q: { identityId?: string; routeId?: string; limit: number; cursor?: string }) {
  assertCan(ctx, 'source:read')
  const after = q.cursor ? decodeCallCursor(q.cursor) : null
  const rows = await db.gatewayCall.findMany({
    where: {
      orgId: ctx.org.id,
      ...(q.identityId ? { identityId: q.identityId } : {}),
      ...(q.routeId ? { routeId: q.routeId } : {}),
      ...(after ? { OR: [{ at: { lt: new Date(after.at) } }, { at: new Date(after.at), id: { lt: after.id } }] } : {}),
    },
    orderBy: [{ at: 'desc' }, { id: 'desc' }],
    take: q.limit + 1,
    select: CALL_SELECT,
  })
  const items = rows.slice(0, q.limit)
  const last = items.at(-1)
  return { items, nextCursor: rows.length > q.limit && last ? encodeCallCursor({ at: last.at.toISOString(), id: last.id }) : null }
}
export type CallRow = Awaited<ReturnType<typeof listGatewayCalls>>['items'][number]

/**
 * An identity's gateway access: its recent calls, and per route the methods it is allowed (active grants of gateway
 * rules) versus the methods it used in the last `days` days (recorded calls) — least privilege from use.
 */
export async function identityGatewayAccess(ctx: Ctx, identityId: string, opts: { days?: number; now?: Date } = {}) {
  assertCan(ctx, 'identity:read')
  const orgId = ctx.org.id
  const identity = await db.identity.findFirst({ where: { id: identityId, orgId }, select: { id: true } })
  if (!identity) throw new NotFoundError('Identity not found')
  const days = opts.days ?? CALLER_DAYS
  const [grants, use, recentCalls] = await Promise.all([
    db.grant.findMany({
      where: { orgId, identityId, status: 'active', entitlement: { gatewayRule: { isNot: null } } },
      select: {
        id: true,
        entitlement: {
          select: {
            name: true,
            gatewayRule: { select: { id: true, methods: true, paths: true, route: { select: { id: true, name: true, pathPrefix: true } } } },
          },
        },
      },
    }),
    db.gatewayCallDay.groupBy({
      by: ['routeKey', 'method'],
      where: { orgId, identityKey: identityId, day: { gte: firstDay(opts.now, days) }, calls: { gt: 0 } },
      _sum: { calls: true, refused: true },
    }),
    db.gatewayCall.findMany({ where: { orgId, identityId }, orderBy: [{ at: 'desc' }, { id: 'desc' }], take: 50, select: CALL_SELECT }),
  ])
  type Entry = {
    routeId: string
    name: string
    pathPrefix: string
    allowed: Set<string>
    paths: Set<string>
    grantIds: string[]
    used: Map<string, number>
    denied: number
  }
  const routes = new Map<string, Entry>()
  const entry = (id: string, name: string, pathPrefix: string) => {
    let e = routes.get(id)
    if (!e) routes.set(id, (e = { routeId: id, name, pathPrefix, allowed: new Set(), paths: new Set(), grantIds: [], used: new Map(), denied: 0 }))
    return e
  }
  for (const g of grants) {
    const rule = g.entitlement.gatewayRule
    if (!rule) continue
    const e = entry(rule.route.id, rule.route.name, rule.route.pathPrefix)
    for (const m of stringsOf(rule.methods)) e.allowed.add(m)
    for (const p of stringsOf(rule.paths)) e.paths.add(p)
    e.grantIds.push(g.id)
  }
  const usedRouteIds = [...new Set(use.map((u) => u.routeKey).filter((x) => x !== ''))]
  const missing = usedRouteIds.filter((id) => !routes.has(id))
  if (missing.length) {
    for (const r of await db.gatewayRoute.findMany({ where: { orgId, id: { in: missing } }, select: { id: true, name: true, pathPrefix: true } }))
      entry(r.id, r.name, r.pathPrefix)
  }
  for (const u of use) {
    const e = routes.get(u.routeKey)
    if (!e) continue
    const allowedCalls = (u._sum.calls ?? 0) - (u._sum.refused ?? 0)
    if (allowedCalls > 0) e.used.set(u.method, allowedCalls)
    e.denied += u._sum.refused ?? 0
  }
  const order = (ms: Iterable<string>) => [...ms].sort((a, b) => HTTP_METHODS.indexOf(a as never) - HTTP_METHODS.indexOf(b as never) || a.localeCompare(b))
  return {
    days,
    routes: [...routes.values()]
      .map((e) => {
        const allowed = e.allowed.has('*') ? ['*'] : order(e.allowed)
        const usedMethods = order(e.used.keys())
        return {
          routeId: e.routeId,
          name: e.name,
          pathPrefix: e.pathPrefix,
          allowed,
          paths: [...e.paths],
          grantIds: e.grantIds,
          used: usedMethods,
          // allowed '*' with no use at all is wholly unused; with some use, the rest of every method is
          unused: allowed.includes('*') ? (usedMethods.length ? [] : ['*']) : allowed.filter((m) => !e.used.has(m)),
          calls: [...e.used.values()].reduce((a, b) => a + b, 0) + e.denied,
          denied: e.denied,
        }
      })
      .sort((a, b) => a.pathPrefix.localeCompare(b.pathPrefix)),
    recentCalls,
  }
}
export type IdentityGatewayAccess = Awaited<ReturnType<typeof identityGatewayAccess>>

/** Gateway tokens of an identity (never a hash): for its page. */
export async function listIdentityGatewayTokens(ctx: Ctx, identityId: string, now = new Date()) {
  assertCan(ctx, 'api-token:manage')
  const rows = await db.apiToken.findMany({
    where: { orgId: ctx.org.id, identityId },
    orderBy: [{ createdAt: 'desc' }],
    take: 50,
    select: { id: true, name: true, prefix: true, scopes: true, expiresAt: true, revokedAt: true, lastUsedAt: true, createdAt: true },
  })
  return rows
    .filter((r) => stringsOf(r.scopes).includes(GATEWAY_CALL_SCOPE))
    .map((r) => ({ id: r.id, name: r.name, prefix: displayPrefix(r.prefix), expiresAt: r.expiresAt, lastUsedAt: r.lastUsedAt, status: tokenStatus(r, now) }))
}

/** Pickers of the rule form: identities (active first by name), teams, and tag keys/values in use. */
/** The choices of a rule's principal (shared with credential templates). */
export { principalOptions as rulePrincipalOptions } from '@/lib/principals/queries'

/** Routes to choose from (a trust rule's audiences): names only, no call counts. */
export async function routeChoices(ctx: Ctx) {
  assertCan(ctx, 'source:read')
  return db.gatewayRoute.findMany({
    where: { orgId: ctx.org.id },
    orderBy: [{ pathPrefix: 'asc' }],
    take: 1000,
    select: { id: true, name: true, pathPrefix: true },
  })
}
