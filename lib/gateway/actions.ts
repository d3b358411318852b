'use server'
import { z } from 'zod'
import { orgAction } from '@/lib/action'
import { createRoute, createRule, deleteRoute, deleteRule, issueGatewayToken, updateRoute } from '@/lib/gateway/mutations'
import { createRouteSchema, createRuleSchema, issueGatewayTokenSchema, routeRefSchema, ruleRefSchema, updateRouteSchema } from '@/lib/gateway/schemas'

export const createRouteAction = orgAction({
  schema: createRouteSchema,
  permission: 'gateway:manage',
  revalidate: '/gateway',
  run: async ({ ctx, input }) => {
    const { orgSlug: _, ...body } = input
    const route = await createRoute(ctx, body)
    return { id: route.id }
  },
})

export const updateRouteAction = orgAction({
  schema: updateRouteSchema,
  permission: 'gateway:manage',
  revalidate: (input) => ['/gateway', `/gateway/${input.routeId}`],
  run: async ({ ctx, input }) => {
    const { orgSlug: _, routeId, ...patch } = input
    await updateRoute(ctx, routeId, patch)
    return { id: routeId }
  },
})

export const deleteRouteAction = orgAction({
  schema: routeRefSchema,
  permission: 'gateway:manage',
  revalidate: '/gateway',
  run: async ({ ctx, input }) => deleteRoute(ctx, input.routeId),
})

export const createRuleAction = orgAction({
  schema: createRuleSchema,
  permission: 'gateway:manage',
  revalidate: (input) => `/gateway/${input.routeId}`,
  run: async ({ ctx, input }) => {
    const { orgSlug: _, routeId, ...body } = input
    const rule = await createRule(ctx, routeId, body)
    return { id: rule.id, grants: rule.grants }
  },
})

export const deleteRuleAction = orgAction({
  schema: ruleRefSchema.extend({ routeId: z.string().max(40).optional() }),
  permission: 'gateway:manage',
  revalidate: (input) => (input.routeId ? `/gateway/${input.routeId}` : '/gateway'),
  run: async ({ ctx, input }) => deleteRule(ctx, input.ruleId),
})

// No revalidation: the one-time secret's dialog would be remounted by a re-render (the page refreshes when it closes).
export const issueGatewayTokenAction = orgAction({
  schema: issueGatewayTokenSchema,
  permission: 'api-token:manage',
  run: async ({ ctx, input }) => {
    const { orgSlug: _, ...body } = input
    const t = await issueGatewayToken(ctx, body)
    return { id: t.id, token: t.token, prefix: t.prefix, expiresAt: t.expiresAt.toISOString(), identity: t.identity }
  },
})
