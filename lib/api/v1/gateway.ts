import 'server-only'
import { z } from 'zod'
import { defineOperation } from '@/lib/api/operation'
import { problem } from '@/lib/api/problem'
import { cursor, dateTime, defineListOperation, id, iso, limit } from '@/lib/api/v1/common'
import type { Ctx } from '@/lib/auth/org-context'
import { createRoute, createRule, deleteRoute, deleteRule, updateRoute } from '@/lib/gateway/mutations'
import { getRoute, listGatewayCalls, listRoutes, listRules, type CallRow, type RouteDetail, type RuleRow } from '@/lib/gateway/queries'
import { AUTH_KINDS, HTTP_METHODS, PRINCIPAL_TYPES, ROUTE_STATUSES, routeCreateBodySchema, routePatchSchema, ruleCreateBodySchema } from '@/lib/gateway/schemas'
import { ENVIRONMENTS } from '@/lib/inventory/schemas'

const TAG = 'Gateway'
const read = { tag: TAG, scope: 'gateway:read' } as const
const write = { tag: TAG, scope: 'gateway:write' } as const

export const gatewayRouteSchema = z
  .object({
    id: z.string(),
    name: z.string(),
    pathPrefix: z.string(),
    upstreamUrl: z.string(),
    environment: z.enum(ENVIRONMENTS),
    authKind: z.enum(AUTH_KINDS),
    authHeader: z.string().nullable(),
    authPrefix: z.string().nullable(),
    secretRef: z.string().nullable().meta({ description: 'The environment variable of the gateway process holding the secret: a name, never the value.' }),
    oauthTokenUrl: z.string().nullable(),
    oauthClientId: z.string().nullable(),
    oauthScope: z.string().nullable(),
    connectTimeoutMs: z.number().int(),
    timeoutMs: z.number().int(),
    maxBodyBytes: z.number().int(),
    ratePerSecond: z.number().int(),
    burst: z.number().int(),
    status: z.enum(ROUTE_STATUSES),
    resourceId: z.string().meta({ description: 'The inventory Resource this route is (of the “Custodian gateway” source).' }),
    rules: z.number().int(),
    createdAt: dateTime,
    updatedAt: dateTime,
  })
  .meta({ id: 'GatewayRoute' })

function routeDto(r: RouteDetail): z.infer<typeof gatewayRouteSchema> {
  return {
    id: r.id,
    name: r.name,
    pathPrefix: r.pathPrefix,
    upstreamUrl: r.upstreamUrl,
    environment: r.environment as z.infer<typeof gatewayRouteSchema>['environment'],
    authKind: r.authKind as z.infer<typeof gatewayRouteSchema>['authKind'],
    authHeader: r.authHeader,
    authPrefix: r.authPrefix,
    secretRef: r.secretRef,
    oauthTokenUrl: r.oauthTokenUrl,
    oauthClientId: r.oauthClientId,
    oauthScope: r.oauthScope,
    connectTimeoutMs: r.connectTimeoutMs,
    timeoutMs: r.timeoutMs,
    maxBodyBytes: r.maxBodyBytes,
    ratePerSecond: r.ratePerSecond,
    burst: r.burst,
    status: r.status as z.infer<typeof gatewayRouteSchema>['status'],
    resourceId: r.resourceId,
    rules: r.rules,
    createdAt: r.createdAt.toISOString(),
    updatedAt: r.updatedAt.toISOString(),
  }
}
const routeOf = async (ctx: Ctx, routeId: string) => routeDto(await getRoute(ctx, routeId))

export const gatewayRuleSchema = z
  .object({
    id: z.string(),
    routeId: z.string(),
    principalType: z.enum(PRINCIPAL_TYPES),
    principal: z.string().meta({ description: 'Who the rule reaches, in words.' }),
    identityId: z.string().nullable(),
    teamId: z.string().nullable(),
    tagKey: z.string().nullable(),
    tagValue: z.string().nullable(),
    methods: z.array(z.enum([...HTTP_METHODS, '*'])),
    paths: z.array(z.string()),
    entitlementId: z.string().meta({ description: 'The inventory Entitlement this rule is; each identity it reaches holds a Grant of it.' }),
    privileged: z.boolean(),
    activeGrants: z.number().int(),
    revokedGrants: z.number().int(),
    createdAt: dateTime,
  })
  .meta({ id: 'GatewayRule' })

function ruleDto(r: RuleRow): z.infer<typeof gatewayRuleSchema> {
  return {
    id: r.id,
    routeId: r.routeId,
    principalType: r.principalType as z.infer<typeof gatewayRuleSchema>['principalType'],
    principal: r.principal,
    identityId: r.identity?.id ?? null,
    teamId: r.team?.id ?? null,
    tagKey: r.tagKey,
    tagValue: r.tagValue,
    methods: r.methods as z.infer<typeof gatewayRuleSchema>['methods'],
    paths: r.paths,
    entitlementId: r.entitlementId,
    privileged: r.privileged,
    activeGrants: r.activeGrants,
    revokedGrants: r.revokedGrants,
    createdAt: r.createdAt.toISOString(),
  }
}

export const gatewayCallSchema = z
  .object({
    id: z.string(),
    at: dateTime,
    identity: z.object({ id: z.string(), name: z.string() }).nullable(),
    route: z.object({ id: z.string(), name: z.string(), pathPrefix: z.string() }).nullable(),
    method: z.string(),
    path: z.string(),
    status: z.number().int(),
    latencyMs: z.number(),
    bytesIn: z.number().int(),
    bytesOut: z.number().int(),
    decision: z.enum(['allow', 'deny', 'error']),
    ruleId: z.string().nullable(),
    reason: z.string().nullable(),
    sourceIp: z.string().nullable(),
    requestId: z.string().nullable(),
  })
  .meta({ id: 'GatewayCall' })

function callDto(c: CallRow): z.infer<typeof gatewayCallSchema> {
  return { ...c, at: iso(c.at)!, decision: c.decision as z.infer<typeof gatewayCallSchema>['decision'] }
}

const deletedSchema = z.object({ id: z.string(), deleted: z.literal(true) }).meta({ id: 'GatewayDeletion' })

const oneRoute = { path: '/gateway/routes/{id}', params: z.object({ id }) }

export const listGatewayRoutesOp = defineListOperation({
  ...read,
  operationId: 'listGatewayRoutes',
  path: '/gateway/routes',
  summary: 'List the gateway routes',
  query: z.strictObject({ limit, cursor }),
  item: gatewayRouteSchema,
  pageName: 'GatewayRoutePage',
  description: 'A page of routes, by path prefix.',
  run: async ({ ctx, query }) => {
    // An organization has tens of routes: read whole, paged here by position.
    const start = query.cursor ? decodeOffset(query.cursor) : 0
    const ids = (await listRoutes(ctx)).map((r) => r.id)
    const page = ids.slice(start, start + query.limit)
    return {
      data: await Promise.all(page.map((routeId) => routeOf(ctx, routeId))),
      nextCursor: start + query.limit < ids.length ? Buffer.from(String(start + query.limit)).toString('base64url') : null,
    }
  },
})

function decodeOffset(cursor: string): number {
  const n = Number(Buffer.from(cursor, 'base64url').toString('utf8'))
  if (!Number.isInteger(n) || n < 0 || n > 1_000_000)
    throw problem(400, 'The cursor is not valid. Pass `nextCursor` from the previous page unchanged.', [{ path: 'cursor', message: 'Invalid cursor.' }])
  return n
}

export const createGatewayRouteOp = defineOperation({
  ...write,
  operationId: 'createGatewayRoute',
  method: 'post',
  path: '/gateway/routes',
  summary: 'Create a route (a Resource of the organization’s gateway source)',
  body: routeCreateBodySchema.meta({ id: 'GatewayRouteCreate' }),
  success: { status: 201, description: 'The route.', schema: gatewayRouteSchema },
  problems: [409],
  run: async ({ ctx, body }) => routeOf(ctx, (await createRoute(ctx, body)).id),
})

export const getGatewayRouteOp = defineOperation({
  ...read,
  ...oneRoute,
  operationId: 'getGatewayRoute',
  method: 'get',
  summary: 'Get one route',
  success: { status: 200, description: 'The route.', schema: gatewayRouteSchema },
  problems: [404],
  run: ({ ctx, params }) => routeOf(ctx, params.id),
})

export const updateGatewayRouteOp = defineOperation({
  ...write,
  ...oneRoute,
  operationId: 'updateGatewayRoute',
  method: 'patch',
  summary: 'Change a route’s settings (those given); `status: disabled` refuses every call to it',
  body: routePatchSchema.strict().meta({ id: 'GatewayRouteUpdate' }),
  success: { status: 200, description: 'The route as changed.', schema: gatewayRouteSchema },
  problems: [404, 409],
  run: async ({ ctx, params, body }) => routeOf(ctx, (await updateRoute(ctx, params.id, body)).id),
})

export const deleteGatewayRouteOp = defineOperation({
  ...write,
  ...oneRoute,
  operationId: 'deleteGatewayRoute',
  method: 'delete',
  summary: 'Delete a route with its rules, their grants and its recorded calls',
  success: { status: 200, description: 'Deleted.', schema: deletedSchema },
  problems: [404],
  run: async ({ ctx, params }) => ({ id: (await deleteRoute(ctx, params.id)).id, deleted: true as const }),
})

export const listGatewayRulesOp = defineListOperation({
  ...read,
  ...oneRoute,
  path: '/gateway/routes/{id}/rules',
  operationId: 'listGatewayRules',
  summary: 'List a route’s rules',
  query: z.strictObject({ limit, cursor }),
  item: gatewayRuleSchema,
  pageName: 'GatewayRulePage',
  description: 'A page of rules, oldest first.',
  problems: [404],
  run: async ({ ctx, params, query }) => {
    const start = query.cursor ? decodeOffset(query.cursor) : 0
    const rules = await listRules(ctx, params.id)
    return {
      data: rules.slice(start, start + query.limit).map(ruleDto),
      nextCursor: start + query.limit < rules.length ? Buffer.from(String(start + query.limit)).toString('base64url') : null,
    }
  },
})

export const createGatewayRuleOp = defineOperation({
  ...write,
  ...oneRoute,
  path: '/gateway/routes/{id}/rules',
  operationId: 'createGatewayRule',
  method: 'post',
  summary: 'Add a rule: an identity, a team’s identities or identities with a tag may call some methods and paths',
  body: ruleCreateBodySchema.meta({ id: 'GatewayRuleCreate' }),
  success: { status: 201, description: 'The rule, with the grants it made.', schema: gatewayRuleSchema },
  problems: [404],
  run: async ({ ctx, params, body }) => {
    const rule = await createRule(ctx, params.id, body)
    return ruleDto((await listRules(ctx, params.id)).find((r) => r.id === rule.id)!)
  },
})

export const deleteGatewayRuleOp = defineOperation({
  ...write,
  operationId: 'deleteGatewayRule',
  method: 'delete',
  path: '/gateway/rules/{id}',
  params: z.object({ id }),
  summary: 'Remove a rule: the identities it reached lose that access at once',
  success: { status: 200, description: 'Removed.', schema: deletedSchema },
  problems: [404],
  run: async ({ ctx, params }) => ({ id: (await deleteRule(ctx, params.id)).id, deleted: true as const }),
})

export const listGatewayCallsOp = defineListOperation({
  ...read,
  operationId: 'listGatewayCalls',
  path: '/gateway/calls',
  summary: 'List recorded gateway calls, newest first',
  query: z.strictObject({
    identityId: id.optional().meta({ description: 'Calls of one identity.' }),
    routeId: id.optional().meta({ description: 'Calls to one route.' }),
    limit,
    cursor,
  }),
  item: gatewayCallSchema,
  pageName: 'GatewayCallPage',
  description: 'A page of calls.',
  run: async ({ ctx, query }) => {
    const r = await listGatewayCalls(ctx, query)
    return { data: r.items.map(callDto), nextCursor: r.nextCursor }
  },
})
