// Gateway rules as Cedar policies, one policy set per organization. Each GatewayRule becomes one `permit` whose policy
// id is the rule id, so a decision names the rule that allowed it; one `forbid` refuses every identity that is not
// active. A rule is withdrawn from an identity whose Grant on the rule's entitlement is revoked (the identity entity
// carries those rule ids in `withdrawn`). The rule JSON (methods, paths) is read once, here, when the set is built.
//
// Entities: Gateway::Identity (status, tags as "key=value" strings, withdrawn rule ids; parent Gateway::Team),
// Gateway::Route, action Gateway::Action::"call". Context: method (upper case) and path (below the route's prefix,
// matched with `like`, where `*` matches any characters).
import * as cedar from '@cedar-policy/cedar-wasm/nodejs'
import { stringsOf } from '@/lib/json'
import type { IdentityAttrs } from '@/lib/policies/engine'

export interface RuleRow {
  id: string
  routeId: string
  principalType: string
  identityId: string | null
  teamId: string | null
  tagKey: string | null
  tagValue: string | null
  methods: string
  paths: string
}

export interface Principal {
  id: string
  name: string
  status: string
  teamId: string | null
  tags: string[]
  /** rule ids withdrawn from this identity (its Grant on the rule's entitlement is revoked) */
  withdrawn: string[]
  /** the identity as the organization's Cedar policies see it (lib/policies) */
  attrs: IdentityAttrs
  /** an open "unusual gateway use" finding (read only when the organization has policies) */
  unusual: boolean
}

export interface Decision {
  allow: boolean
  /** the rule (or `identity-not-active`) that decided, when one did */
  ruleId: string | null
  reason: string | null
}

export const NOT_ACTIVE_POLICY = 'identity-not-active'

/** A Cedar string literal. */
function str(s: string): string {
  return `"${s.replace(/[\\"]/g, (c) => `\\${c}`).replace(/[\u0000-\u001f]/g, (c) => `\\u{${c.charCodeAt(0).toString(16)}}`)}"`
}
/** A Cedar `like` pattern: the rule's `*` stays a wildcard, everything else is literal. */
function likePattern(p: string): string {
  return str(p)
}

function principalClause(r: RuleRow): string | null {
  if (r.principalType === 'identity' && r.identityId) return `principal == Gateway::Identity::${str(r.identityId)}`
  if (r.principalType === 'team' && r.teamId) return `principal in Gateway::Team::${str(r.teamId)}`
  if (r.principalType === 'tag' && r.tagKey) return `principal is Gateway::Identity`
  return null
}

/** The Cedar text of one rule, or null for a rule that cannot match anyone (incomplete principal, no methods or paths). */
export function ruleToCedar(r: RuleRow): string | null {
  const principal = principalClause(r)
  if (!principal) return null
  const methods = stringsOf(r.methods).map((m) => m.trim().toUpperCase())
  const paths = stringsOf(r.paths).filter((p) => p.length > 0)
  if (!methods.length || !paths.length) return null
  const conditions: string[] = []
  if (!methods.includes('*')) conditions.push(`(${methods.map((m) => `context.method == ${str(m)}`).join(' || ')})`)
  if (!paths.includes('*')) conditions.push(`(${paths.map((p) => `context.path like ${likePattern(p)}`).join(' || ')})`)
  if (r.principalType === 'tag') conditions.push(`principal.tags.contains(${str(`${r.tagKey}=${r.tagValue ?? ''}`)})`)
  return (
    `permit (${principal}, action == Gateway::Action::"call", resource == Gateway::Route::${str(r.routeId)})` +
    (conditions.length ? ` when { ${conditions.join(' && ')} }` : '') +
    ` unless { principal.withdrawn.contains(${str(r.id)}) };`
  )
}

let policySetCounter = 0

/** One organization's preparsed policy set (rules of every route) and the rule lookups the messages need. */
export class OrgPolicy {
  readonly id: string
  private readonly rulesByRoute = new Map<string, RuleRow[]>()

  constructor(rules: readonly RuleRow[]) {
    this.id = `gw-${++policySetCounter}`
    const policies: Record<string, string> = { [NOT_ACTIVE_POLICY]: 'forbid (principal, action, resource) unless { principal.status == "active" };' }
    for (const r of rules) {
      const text = ruleToCedar(r)
      if (text) policies[r.id] = text
      const list = this.rulesByRoute.get(r.routeId) ?? []
      list.push(r)
      this.rulesByRoute.set(r.routeId, list)
    }
    const parsed = cedar.preparsePolicySet(this.id, { staticPolicies: policies })
    if (parsed.type !== 'success') throw new Error(`gateway: a rule did not compile: ${parsed.errors.map((e) => e.message).join('; ')}`)
  }

  decide(p: Principal, route: { id: string; name: string }, method: string, path: string): Decision {
    const entities: cedar.EntityJson[] = [
      {
        uid: { type: 'Gateway::Identity', id: p.id },
        attrs: { status: p.status, tags: p.tags, withdrawn: p.withdrawn },
        parents: p.teamId ? [{ type: 'Gateway::Team', id: p.teamId }] : [],
      },
    ]
    if (p.teamId) entities.push({ uid: { type: 'Gateway::Team', id: p.teamId }, attrs: {}, parents: [] })
    const answer = cedar.statefulIsAuthorized({
      principal: { type: 'Gateway::Identity', id: p.id },
      action: { type: 'Gateway::Action', id: 'call' },
      resource: { type: 'Gateway::Route', id: route.id },
      context: { method, path },
      preparsedPolicySetId: this.id,
      entities,
    })
    if (answer.type !== 'success')
      return { allow: false, ruleId: null, reason: `the policy could not be evaluated: ${answer.errors[0]?.message ?? 'unknown error'}` }
    const reasons = answer.response.diagnostics.reason
    if (answer.response.decision === 'allow') return { allow: true, ruleId: reasons[0] ?? null, reason: null }
    if (reasons.includes(NOT_ACTIVE_POLICY)) return { allow: false, ruleId: NOT_ACTIVE_POLICY, reason: `identity ${p.name} is ${p.status}, not active` }
    const withdrawn = (this.rulesByRoute.get(route.id) ?? []).filter((r) => p.withdrawn.includes(r.id))
    const base = `no rule lets identity ${p.name} call ${method} ${path} on route ${route.name}`
    return {
      allow: false,
      ruleId: null,
      reason: withdrawn.length ? `${base} (its grant on ${withdrawn.length === 1 ? 'a rule' : `${withdrawn.length} rules`} of this route is revoked)` : base,
    }
  }
}
