import 'server-only'
import { stringsOf } from '@/lib/json'
import { randomBytes } from 'node:crypto'
import { displayPrefix, newToken } from '@/lib/api-tokens/format'
import { auditTarget, recordAudit } from '@/lib/audit/record'
import { assertCan, type Ctx } from '@/lib/auth/org-context'
import { db, type Tx } from '@/lib/db'
import { ConflictError, mapPrismaError, NotFoundError, ValidationError } from '@/lib/errors'
import { settleFindings } from '@/lib/findings/recompute'
import { mirrorNewToken } from '@/lib/api-tokens/inventory'
import {
  GATEWAY_CALL_SCOPE,
  routeSettingsIssues,
  ruleEntitlementName,
  rulePrivileged,
  type IssueGatewayTokenInput,
  type RouteBody,
  type RoutePatch,
  type RuleBody,
} from '@/lib/gateway/schemas'
import { GATEWAY_SOURCE_NAME, GATEWAY_SOURCE_TYPE } from '@/lib/gateway/source'
import { rollupIdentities } from '@/lib/inventory/rollup'
import { principalOf } from '@/lib/principals/resolve'
import { prismaSql } from '@/lib/sql/prisma'

const DAY = 86_400_000

/** Ids made here so a route's Resource and a rule's Entitlement can carry them as their external ids in one insert. */
function newRecordId(prefix: string) {
  return `${prefix}${Date.now().toString(36)}${randomBytes(8).toString('hex')}`
}

async function run<T>(fn: (tx: Tx) => Promise<T>): Promise<T> {
  try {
    return await db.$transaction(fn)
  } catch (err) {
    throw mapPrismaError(err)
  }
}

/** The organization's gateway Source, created on first use: every route is one of its Resources. */
async function gatewaySource(tx: Tx, orgId: string) {
  const found = await tx.source.findFirst({ where: { orgId, type: GATEWAY_SOURCE_TYPE }, select: { id: true }, orderBy: { createdAt: 'asc' } })
  if (found) return found
  const clash = await tx.source.findFirst({ where: { orgId, name: GATEWAY_SOURCE_NAME }, select: { id: true } })
  return tx.source.create({
    data: { orgId, name: clash ? `${GATEWAY_SOURCE_NAME} (${newRecordId('').slice(-6)})` : GATEWAY_SOURCE_NAME, type: GATEWAY_SOURCE_TYPE, config: '{}' },
    select: { id: true },
  })
}

async function assertFree(tx: Tx, orgId: string, v: { name?: string; pathPrefix?: string }, exceptId?: string) {
  const not = exceptId ? { id: { not: exceptId } } : {}
  if (v.pathPrefix && (await tx.gatewayRoute.findFirst({ where: { orgId, pathPrefix: v.pathPrefix, ...not }, select: { id: true } })))
    throw new ConflictError(`Another route already starts at ${v.pathPrefix}: choose another prefix.`)
  if (v.name && (await tx.gatewayRoute.findFirst({ where: { orgId, name: v.name, ...not }, select: { id: true } })))
    throw new ConflictError(`A route named “${v.name}” already exists.`)
}

function checkSettings(v: Parameters<typeof routeSettingsIssues>[0]) {
  const issues = routeSettingsIssues(v)
  const first = Object.values(issues)[0]
  if (first) throw new ValidationError(first, Object.fromEntries(Object.entries(issues).map(([k, m]) => [k, [m]])))
}

/** Only what the chosen kind of upstream authentication uses is stored; the rest is cleared. */
function authColumns(v: RouteBody | (RoutePatch & Pick<RouteBody, 'authKind'>)) {
  const header = v.authKind === 'header'
  const oauth = v.authKind === 'oauth2_client_credentials'
  return {
    authKind: v.authKind,
    authHeader: header ? (v.authHeader ?? null) : null,
    authPrefix: header ? (v.authPrefix ?? null) : null,
    secretRef: header || oauth ? (v.secretRef ?? null) : null,
    oauthTokenUrl: oauth ? (v.oauthTokenUrl ?? null) : null,
    oauthClientId: oauth ? (v.oauthClientId ?? null) : null,
    oauthScope: oauth ? (v.oauthScope ?? null) : null,
  }
}

function upstreamHost(url: string) {
  try {
    return new URL(url).host
  } catch {
    return url
  }
}

/** Recomputes the identities' grant counts and privileged flags, then their findings (which read both). */
async function settleIdentities(tx: Tx, orgId: string, identityIds: Iterable<string>) {
  const ids = [...new Set(identityIds)]
  if (!ids.length) return
  await rollupIdentities(prismaSql(tx), ids)
  await settleFindings(tx, orgId, ids)
}

export async function createRoute(ctx: Ctx, input: RouteBody) {
  assertCan(ctx, 'gateway:manage')
  checkSettings(input)
  return run(async (tx) => {
    const orgId = ctx.org.id
    await assertFree(tx, orgId, input)
    const source = await gatewaySource(tx, orgId)
    const id = newRecordId('gwr')
    const resource = await tx.resource.create({
      data: { orgId, sourceId: source.id, externalId: id, name: input.name, type: 'gateway_route', environment: input.environment },
      select: { id: true },
    })
    const route = await tx.gatewayRoute.create({
      data: {
        id,
        orgId,
        name: input.name,
        pathPrefix: input.pathPrefix,
        upstreamUrl: input.upstreamUrl,
        ...authColumns(input),
        connectTimeoutMs: input.connectTimeoutMs,
        timeoutMs: input.timeoutMs,
        maxBodyBytes: input.maxBodyBytes,
        ratePerSecond: input.ratePerSecond,
        burst: input.burst,
        resourceId: resource.id,
      },
    })
    // The secret reference is a variable name, not a secret; it is audited so a changed reference shows who changed it.
    await recordAudit(tx, ctx, {
      action: 'gateway-route.create',
      ...auditTarget('gateway-route', route),
      details: {
        pathPrefix: route.pathPrefix,
        upstream: upstreamHost(route.upstreamUrl),
        authKind: route.authKind,
        secretRef: route.secretRef,
        environment: input.environment,
      },
    })
    return route
  })
}

async function routeOrThrow(tx: Tx, ctx: Ctx, routeId: string) {
  const route = await tx.gatewayRoute.findFirst({
    where: { id: routeId, orgId: ctx.org.id },
    include: { resource: { select: { id: true, environment: true, sourceId: true } } },
  })
  if (!route) throw new NotFoundError('Route not found')
  return route
}

const SETTINGS = [
  'name',
  'pathPrefix',
  'upstreamUrl',
  'authKind',
  'authHeader',
  'authPrefix',
  'secretRef',
  'oauthTokenUrl',
  'oauthClientId',
  'oauthScope',
  'connectTimeoutMs',
  'timeoutMs',
  'maxBodyBytes',
  'ratePerSecond',
  'burst',
  'status',
] as const

/** Changes some settings of a route (status too: disabling stops every call to it at the gateway). */
export async function updateRoute(ctx: Ctx, routeId: string, patch: RoutePatch) {
  assertCan(ctx, 'gateway:manage')
  return run(async (tx) => {
    const orgId = ctx.org.id
    const route = await routeOrThrow(tx, ctx, routeId)
    const merged = {
      ...route,
      environment: route.resource.environment,
      ...Object.fromEntries(Object.entries(patch).filter(([, v]) => v !== undefined)),
    } as typeof route & RouteBody & { status: string }
    checkSettings(merged)
    await assertFree(
      tx,
      orgId,
      { name: patch.name !== route.name ? patch.name : undefined, pathPrefix: patch.pathPrefix !== route.pathPrefix ? patch.pathPrefix : undefined },
      route.id,
    )
    const data = {
      name: merged.name,
      pathPrefix: merged.pathPrefix,
      upstreamUrl: merged.upstreamUrl,
      ...authColumns(merged),
      connectTimeoutMs: merged.connectTimeoutMs,
      timeoutMs: merged.timeoutMs,
      maxBodyBytes: merged.maxBodyBytes,
      ratePerSecond: merged.ratePerSecond,
      burst: merged.burst,
      status: merged.status,
    }
    const changed = SETTINGS.filter((k) => (route as Record<string, unknown>)[k] !== (data as Record<string, unknown>)[k])
    const envChanged = merged.environment !== route.resource.environment
    if (!changed.length && !envChanged) return route
    const updated = await tx.gatewayRoute.update({ where: { id: route.id, orgId }, data })
    await tx.resource.update({ where: { id: route.resource.id, orgId }, data: { name: merged.name, environment: merged.environment } })
    if (envChanged) await reclassifyRules(tx, orgId, route.id, merged.environment)
    const statusOnly = changed.length === 1 && changed[0] === 'status' && !envChanged
    await recordAudit(tx, ctx, {
      action: statusOnly ? (merged.status === 'disabled' ? 'gateway-route.disable' : 'gateway-route.enable') : 'gateway-route.update',
      ...auditTarget('gateway-route', updated),
      details: {
        changed: envChanged ? [...changed, 'environment'] : changed,
        ...Object.fromEntries(
          changed
            .filter((k) => k !== 'upstreamUrl')
            .map((k) => [k, { from: (route as Record<string, unknown>)[k] ?? null, to: (data as Record<string, unknown>)[k] ?? null }]),
        ),
        ...(changed.includes('upstreamUrl') ? { upstream: { from: upstreamHost(route.upstreamUrl), to: upstreamHost(data.upstreamUrl) } } : {}),
        ...(envChanged ? { environment: { from: route.resource.environment, to: merged.environment } } : {}),
      },
    })
    return updated
  })
}

/** A route's rules follow its environment: writes to a production route are privileged. */
async function reclassifyRules(tx: Tx, orgId: string, routeId: string, environment: string) {
  const rules = await tx.gatewayRule.findMany({ where: { orgId, routeId }, select: { entitlementId: true, methods: true, paths: true } })
  const touched = new Set<string>()
  for (const r of rules) {
    const privileged = rulePrivileged(stringsOf(r.methods), stringsOf(r.paths), environment)
    await tx.entitlement.update({ where: { id: r.entitlementId, orgId }, data: { privileged } })
    const grants = await tx.grant.findMany({ where: { orgId, entitlementId: r.entitlementId, privileged: !privileged }, select: { identityId: true } })
    if (!grants.length) continue
    await tx.grant.updateMany({ where: { orgId, entitlementId: r.entitlementId }, data: { privileged } })
    for (const g of grants) touched.add(g.identityId)
  }
  await settleIdentities(tx, orgId, touched)
}

/** Deletes a route with its Resource, rules, entitlements and grants (its recorded calls go with it). */
export async function deleteRoute(ctx: Ctx, routeId: string) {
  assertCan(ctx, 'gateway:manage')
  return run(async (tx) => {
    const orgId = ctx.org.id
    const route = await routeOrThrow(tx, ctx, routeId)
    const holders = await tx.grant.findMany({ where: { orgId, entitlement: { resourceId: route.resource.id } }, select: { identityId: true } })
    const rules = await tx.gatewayRule.count({ where: { orgId, routeId: route.id } })
    await tx.resource.delete({ where: { id: route.resource.id, orgId } })
    await settleIdentities(
      tx,
      orgId,
      holders.map((h) => h.identityId),
    )
    await recordAudit(tx, ctx, {
      action: 'gateway-route.delete',
      ...auditTarget('gateway-route', route),
      details: { pathPrefix: route.pathPrefix, rules, grants: holders.length },
    })
    return { id: route.id }
  })
}

/**
 * Adds a rule to a route: an Entitlement of the route's Resource named after what it allows, and a Grant for every
 * identity it reaches now (syncRuleGrants), so gateway access shows in the inventory, findings and campaigns.
 */
export async function createRule(ctx: Ctx, routeId: string, input: RuleBody) {
  assertCan(ctx, 'gateway:manage')
  return run(async (tx) => {
    const orgId = ctx.org.id
    const route = await routeOrThrow(tx, ctx, routeId)
    const principal = await principalOf(tx, orgId, input)
    const id = newRecordId('gwl')
    const privileged = rulePrivileged(input.methods, input.paths, route.resource.environment)
    const entitlement = await tx.entitlement.create({
      data: {
        orgId,
        sourceId: route.resource.sourceId,
        resourceId: route.resource.id,
        externalId: id,
        name: ruleEntitlementName(input.methods, input.paths),
        description: `Gateway rule on ${route.pathPrefix} for ${principal.label}`,
        privileged,
      },
      select: { id: true, name: true },
    })
    const rule = await tx.gatewayRule.create({
      data: {
        id,
        orgId,
        routeId: route.id,
        principalType: input.principalType,
        ...principal.data,
        methods: JSON.stringify(input.methods),
        paths: JSON.stringify(input.paths),
        entitlementId: entitlement.id,
        createdById: ctx.actor.type === 'user' ? ctx.actor.id : null,
      },
    })
    const synced = await syncRuleGrants(tx, rule.id)
    await recordAudit(tx, ctx, {
      action: 'gateway-rule.create',
      targetType: 'gateway-route',
      targetId: route.id,
      targetLabel: `${route.name}: ${entitlement.name} for ${principal.label}`,
      details: { ruleId: rule.id, principal: principal.label, methods: input.methods, paths: input.paths, privileged, grants: synced.added },
    })
    return { ...rule, entitlementName: entitlement.name, privileged, grants: synced.added }
  })
}

/** Removes a rule: its Entitlement and Grants go with it, so the identities it reached lose that access at once. */
export async function deleteRule(ctx: Ctx, ruleId: string) {
  assertCan(ctx, 'gateway:manage')
  return run(async (tx) => {
    const orgId = ctx.org.id
    const rule = await tx.gatewayRule.findFirst({
      where: { id: ruleId, orgId },
      include: { route: { select: { id: true, name: true } }, entitlement: { select: { id: true, name: true } } },
    })
    if (!rule) throw new NotFoundError('Rule not found')
    const holders = await tx.grant.findMany({ where: { orgId, entitlementId: rule.entitlementId }, select: { identityId: true } })
    await tx.entitlement.delete({ where: { id: rule.entitlementId, orgId } })
    await settleIdentities(
      tx,
      orgId,
      holders.map((h) => h.identityId),
    )
    await recordAudit(tx, ctx, {
      action: 'gateway-rule.delete',
      targetType: 'gateway-route',
      targetId: rule.route.id,
      targetLabel: `${rule.route.name}: ${rule.entitlement.name}`,
      details: { ruleId: rule.id, principalType: rule.principalType, grants: holders.length },
    })
    return { id: rule.id }
  })
}

/**
 * Keeps a rule's Grants in step with the identities it reaches (its identity, its team's identities, the identities
 * with its tag; never deleted ones): adds the missing ones and removes active ones no longer reached. A revoked Grant
 * stays revoked — it is a decision (by hand, a remediation or a campaign) that withdrew the rule from that identity.
 */
export async function syncRuleGrants(tx: Tx, ruleId: string, now = new Date()) {
  const rule = await tx.gatewayRule.findUnique({ where: { id: ruleId }, include: { entitlement: { select: { id: true, privileged: true } } } })
  if (!rule) return { added: 0, removed: 0 }
  const orgId = rule.orgId
  const alive = { orgId, status: { not: 'deleted' } }
  let reached: string[]
  if (rule.principalType === 'identity')
    reached = rule.identityId ? (await tx.identity.findMany({ where: { ...alive, id: rule.identityId }, select: { id: true } })).map((i) => i.id) : []
  else if (rule.principalType === 'team')
    reached = rule.teamId ? (await tx.identity.findMany({ where: { ...alive, teamId: rule.teamId }, select: { id: true } })).map((i) => i.id) : []
  else
    reached = (
      await tx.identity.findMany({ where: { ...alive, tags: { some: { orgId, key: rule.tagKey ?? '', value: rule.tagValue ?? '' } } }, select: { id: true } })
    ).map((i) => i.id)
  const existing = await tx.grant.findMany({ where: { orgId, entitlementId: rule.entitlementId }, select: { id: true, identityId: true, status: true } })
  const have = new Set(existing.map((g) => g.identityId))
  const want = new Set(reached)
  const add = reached.filter((id) => !have.has(id))
  const remove = existing.filter((g) => g.status === 'active' && !want.has(g.identityId))
  if (add.length)
    await tx.grant.createMany({
      data: add.map((identityId) => ({ orgId, identityId, entitlementId: rule.entitlementId, privileged: rule.entitlement.privileged, createdAt: now })),
    })
  if (remove.length) await tx.grant.deleteMany({ where: { orgId, id: { in: remove.map((g) => g.id) } } })
  await settleIdentities(tx, orgId, [...add, ...remove.map((g) => g.identityId)])
  return { added: add.length, removed: remove.length }
}

/**
 * Issues a gateway token: an API token that acts as one identity and may only call routes through the gateway
 * (scope gateway:call; the REST API refuses it). The plaintext is returned once; only its hash is stored.
 */
export async function issueGatewayToken(ctx: Ctx, input: Omit<IssueGatewayTokenInput, 'orgSlug'>, now = new Date()) {
  assertCan(ctx, 'api-token:manage')
  const orgId = ctx.org.id
  const identity = await db.identity.findFirst({ where: { id: input.identityId, orgId }, select: { id: true, name: true, status: true } })
  if (!identity) throw new NotFoundError('Identity not found')
  if (identity.status !== 'active') throw new ConflictError(`This identity is ${identity.status}: a gateway token for it would be refused anyway.`)
  const t = newToken()
  const expiresAt = new Date(now.getTime() + input.expiresInDays * DAY)
  return run(async (tx) => {
    const row = await tx.apiToken.create({
      data: {
        orgId,
        name: input.name,
        prefix: t.prefix,
        hash: t.hash,
        scopes: JSON.stringify([GATEWAY_CALL_SCOPE]),
        expiresAt,
        identityId: identity.id,
        createdById: ctx.actor.type === 'user' ? ctx.actor.id : null,
      },
      select: { id: true },
    })
    // A credential of the identity in the inventory (rotation, expiry and leak findings apply to it).
    await mirrorNewToken(tx, {
      id: row.id,
      orgId,
      name: input.name,
      scopes: [GATEWAY_CALL_SCOPE],
      expiresAt,
      createdAt: now,
      plaintext: t.token,
      identityId: identity.id,
      createdById: ctx.actor.type === 'user' ? ctx.actor.id : null,
    })
    await recordAudit(tx, ctx, {
      action: 'api-token.create',
      targetType: 'api-token',
      targetId: row.id,
      targetLabel: input.name,
      details: {
        prefix: displayPrefix(t.prefix),
        scopes: [GATEWAY_CALL_SCOPE],
        identityId: identity.id,
        identity: identity.name,
        expiresAt: expiresAt.toISOString(),
      },
    })
    return { id: row.id, token: t.token, prefix: displayPrefix(t.prefix), expiresAt, identity: { id: identity.id, name: identity.name } }
  })
}
