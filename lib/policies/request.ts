import { clockOf, type IdentityAttrs, type PolicyRequest, type TargetAttrs } from '@/lib/policies/engine'
import type { PolicyAction } from '@/lib/policies/schema'

// How a request becomes the Cedar request: one builder for the enforcement points and the simulator, so both ask the
// engine the same question.

export type IdentityRow = { kind: string; environment: string; ownerId: string | null; privileged: boolean; name: string }

export function identityAttrs(row: IdentityRow): IdentityAttrs {
  return { kind: row.kind, environment: row.environment, owned: row.ownerId !== null, privileged: row.privileged, name: row.name }
}

export const API_TARGET: TargetAttrs = { kind: 'api', environment: 'unknown', name: 'custodian-api' }
export function routeTarget(route: { name: string; environment: string }): TargetAttrs {
  return { kind: 'gateway_route', environment: route.environment, name: route.name }
}

export type RequestFields = { scopes: string[]; ttlSeconds: number; task: string; method: string; path: string; operation: string; at: Date }

export function policyRequest(action: PolicyAction, principal: IdentityAttrs, resource: TargetAttrs, f: RequestFields): PolicyRequest {
  const clock = clockOf(f.at)
  if (action === 'exchange')
    return {
      action,
      principal,
      resource,
      context: { scopes: [...new Set(f.scopes)].sort(), ttlSeconds: f.ttlSeconds, task: f.task, hasTask: f.task.length > 0, ...clock },
    }
  if (action === 'gateway_call') return { action, principal, resource, context: { method: f.method.toUpperCase(), path: f.path, ...clock } }
  return { action, principal, resource, context: { method: f.method.toUpperCase(), operation: f.operation, ...clock } }
}

/** The token exchange's question: may this identity get a token with these scopes, TTL and task for this target now. */
export function exchangeRequest(identity: IdentityRow, target: TargetAttrs, e: { scopes: string[]; ttlSeconds: number; task: string | null; at: Date }) {
  return policyRequest('exchange', identityAttrs(identity), target, { ...e, task: e.task ?? '', method: '', path: '', operation: '' })
}
