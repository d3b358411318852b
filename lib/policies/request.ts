import { clockOf, type IdentityAttrs, type PolicyRequest, type TargetAttrs } from '@/lib/policies/engine'
import type { PolicyAction, TokenKind } from '@/lib/policies/schema'

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

export type RequestFields = {
  scopes: string[]
  ttlSeconds: number
  task: string
  method: string
  path: string
  operation: string
  at: Date
  /** gateway_call: the caller's address (0.0.0.0 when unknown), the token's kind, an open unusual-use finding */
  sourceIp?: string
  tokenKind?: TokenKind
  unusual?: boolean
  /** api_call: the scope the operation needs */
  scope?: string
}

/** The address a policy sees when the caller's is unknown. */
export const UNKNOWN_IP = '0.0.0.0'

export function policyRequest(action: PolicyAction, principal: IdentityAttrs, resource: TargetAttrs, f: RequestFields): PolicyRequest {
  const clock = clockOf(f.at)
  if (action === 'exchange')
    return {
      action,
      principal,
      resource,
      context: { scopes: [...new Set(f.scopes)].sort(), ttlSeconds: f.ttlSeconds, task: f.task, hasTask: f.task.length > 0, ...clock },
    }
  if (action === 'gateway_call')
    return {
      action,
      principal,
      resource,
      context: {
        method: f.method.toUpperCase(),
        path: f.path,
        sourceIp: f.sourceIp || UNKNOWN_IP,
        tokenKind: f.tokenKind ?? 'gateway_token',
        task: f.task,
        hasTask: f.task.length > 0,
        unusual: f.unusual ?? false,
        ...clock,
      },
    }
  return {
    action,
    principal,
    resource,
    context: { method: f.method.toUpperCase(), operation: f.operation, scope: f.scope ?? '', task: f.task, hasTask: f.task.length > 0, ...clock },
  }
}

/** The gateway's question, for every proxied call: may this identity call this route, this way, from there, now. */
export function gatewayCallRequest(
  principal: IdentityAttrs,
  route: TargetAttrs,
  c: { method: string; path: string; sourceIp: string | null; tokenKind: TokenKind; task: string | null; unusual: boolean; at: Date },
): Extract<PolicyRequest, { action: 'gateway_call' }> {
  return policyRequest('gateway_call', principal, route, {
    scopes: [],
    ttlSeconds: 0,
    task: c.task ?? '',
    method: c.method,
    path: c.path,
    operation: '',
    at: c.at,
    sourceIp: c.sourceIp ?? UNKNOWN_IP,
    tokenKind: c.tokenKind,
    unusual: c.unusual,
  }) as Extract<PolicyRequest, { action: 'gateway_call' }>
}

/** The API's question, for every call with an exchanged access token: may this workload run this operation now. */
export function apiCallRequest(
  identity: IdentityRow,
  c: { operation: string; method: string; scope: string; task: string | null; at: Date },
): Extract<PolicyRequest, { action: 'api_call' }> {
  return policyRequest('api_call', identityAttrs(identity), API_TARGET, {
    scopes: [],
    ttlSeconds: 0,
    task: c.task ?? '',
    method: c.method,
    path: '',
    operation: c.operation,
    at: c.at,
    scope: c.scope,
  }) as Extract<PolicyRequest, { action: 'api_call' }>
}

/** The token exchange's question: may this identity get a token with these scopes, TTL and task for this target now. */
export function exchangeRequest(identity: IdentityRow, target: TargetAttrs, e: { scopes: string[]; ttlSeconds: number; task: string | null; at: Date }) {
  return policyRequest('exchange', identityAttrs(identity), target, { ...e, task: e.task ?? '', method: '', path: '', operation: '' })
}
