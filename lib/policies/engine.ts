import * as cedar from '@cedar-policy/cedar-wasm/nodejs'
import { CEDAR_SCHEMA } from '@/lib/policies/schema'

// The policy engine, pure (no database): checks a policy set against Custodian's schema, compiles it once, and decides
// requests. Organization policies restrict: the set is evaluated together with an implicit baseline permit, so the
// answer is "allow" unless a forbid applies (a forbid beats any permit), and an organization without policies allows
// everything. A policy that fails to evaluate (validated text rarely can, e.g. an overflow) refuses: fail closed.

export const BASELINE_ID = 'custodian-baseline'
const BASELINE = 'permit(principal, action, resource);'
export const MAX_POLICY_CHARS = 100_000

export type PolicyProblem = { message: string; policyId: string | null; line: number | null; column: number | null }

export type IdentityAttrs = { kind: string; environment: string; owned: boolean; privileged: boolean; name: string }
export type TargetAttrs = { kind: 'api' | 'gateway_route'; environment: string; name: string }
export type ExchangeContext = { scopes: string[]; ttlSeconds: number; task: string; hasTask: boolean; hourUtc: number; weekday: number }
export type GatewayContext = {
  method: string
  path: string
  /** an IPv4 or IPv6 address (an `ipaddr` for Cedar); 0.0.0.0 when unknown */
  sourceIp: string
  tokenKind: string
  task: string
  hasTask: boolean
  unusual: boolean
  hourUtc: number
  weekday: number
}
export type ApiContext = { method: string; operation: string; scope: string; task: string; hasTask: boolean; hourUtc: number; weekday: number }
export type PolicyRequest =
  | { action: 'exchange'; principal: IdentityAttrs; resource: TargetAttrs; context: ExchangeContext }
  | { action: 'gateway_call'; principal: IdentityAttrs; resource: TargetAttrs; context: GatewayContext }
  | { action: 'api_call'; principal: IdentityAttrs; resource: TargetAttrs; context: ApiContext }

export type PolicyDecision = {
  decision: 'allow' | 'deny'
  /** the organization's policies that determined the answer: the forbids that applied (deny), the permits that applied (allow) */
  policies: string[]
  /** policies that failed to evaluate (they refuse) */
  errors: { policyId: string; message: string }[]
}

/** 1-based line and column of a character offset in the text. */
function lineCol(text: string, offset: number): { line: number; column: number } {
  const before = text.slice(0, Math.max(0, Math.min(offset, text.length)))
  const lines = before.split('\n')
  return { line: lines.length, column: lines[lines.length - 1].length + 1 }
}

function problemOf(text: string, e: cedar.DetailedError, policyId: string | null, offsetBase = 0): PolicyProblem {
  const loc = e.sourceLocations?.[0]
  const at = loc ? lineCol(text, offsetBase + loc.start) : null
  const extra = [loc?.label, e.help].filter((x): x is string => !!x)
  return { message: extra.length ? `${e.message} (${extra.join('; ')})` : e.message, policyId, line: at?.line ?? null, column: at?.column ?? null }
}

type Parsed = { ok: true; policies: { id: string; text: string; effect: 'permit' | 'forbid' }[] } | { ok: false; problems: PolicyProblem[] }

/**
 * The policies of a text, each with its id: its `@id("...")` annotation when it has one, else `policy<N>` (N from 0,
 * in the order written: Cedar's own naming, so the validator's messages and the decisions use the same ids).
 */
export function parsePolicies(text: string): Parsed {
  if (text.length > MAX_POLICY_CHARS)
    return { ok: false, problems: [{ message: `Policies are limited to ${MAX_POLICY_CHARS} characters.`, policyId: null, line: null, column: null }] }
  const parts = cedar.policySetTextToParts(text)
  if (parts.type === 'failure') return { ok: false, problems: parts.errors.map((e) => problemOf(text, e, null)) }
  if (parts.policy_templates.length)
    return {
      ok: false,
      problems: [
        {
          message: 'Templates (policies with ?principal or ?resource slots) are not supported; write static policies.',
          policyId: null,
          line: null,
          column: null,
        },
      ],
    }
  const policies: { id: string; text: string; effect: 'permit' | 'forbid' }[] = []
  const problems: PolicyProblem[] = []
  const seen = new Set<string>()
  parts.policies.forEach((p, i) => {
    const json = cedar.policyToJson(p)
    if (json.type === 'failure') {
      problems.push(...json.errors.map((e) => problemOf(p, e, `policy${i}`)))
      return
    }
    const id = json.json.annotations?.id?.trim() || `policy${i}`
    if (id === BASELINE_ID)
      problems.push({ message: `The id “${BASELINE_ID}” is reserved for the implicit baseline permit.`, policyId: id, line: null, column: null })
    else if (seen.has(id)) problems.push({ message: `Two policies have the id “${id}”; each @id must be unique.`, policyId: id, line: null, column: null })
    seen.add(id)
    policies.push({ id, text: p, effect: json.json.effect })
  })
  return problems.length ? { ok: false, problems } : { ok: true, policies }
}

/** Problems of a policy text against Custodian's schema (parse errors, then strict validation): empty when it may be saved. */
export function checkPolicies(text: string): PolicyProblem[] {
  const parsed = parsePolicies(text)
  if (!parsed.ok) return parsed.problems
  if (parsed.policies.length === 0) return []
  const answer = cedar.validate({ schema: CEDAR_SCHEMA, policies: { staticPolicies: text }, validationSettings: { mode: 'strict' } })
  if (answer.type === 'failure') return answer.errors.map((e) => problemOf(text, e, null))
  // The validator names policies policy0, policy1... in the order written: give back each one's own id.
  const idOf = (cedarId: string) => parsed.policies[Number(cedarId.replace(/^policy/, ''))]?.id ?? cedarId
  return answer.validationErrors.map((v) => {
    const p = problemOf(text, v.error, idOf(v.policyId))
    return { ...p, message: p.message.replace(/^for policy `[^`]*`, /, '') }
  })
}

let compiledCounter = 0
const CACHE_LIMIT = 10_000

/** One policy set compiled into the Cedar module, with its decisions cached per request shape. */
export class CompiledPolicies {
  readonly setId: string
  readonly policyIds: string[]
  private readonly decisions = new Map<string, PolicyDecision>()
  /**
   * The context fields the policy text names at all: only those are part of the decision cache's key. A field no policy
   * mentions cannot change a decision (Cedar reads a context field only by its name: `context.path`, `context["path"]`,
   * `context has path`, or a record literal listing it), so a high-cardinality field nobody asks about (the path, the
   * source address) does not turn every call into a cache miss.
   */
  private readonly named: (key: string) => boolean

  constructor(
    readonly text: string,
    readonly version: number,
  ) {
    const parsed = parsePolicies(text)
    // A stored text was validated when saved; if a newer Cedar reads it differently, every request is refused until fixed.
    if (!parsed.ok) throw new Error(`The organization's policies do not parse: ${parsed.problems.map((p) => p.message).join('; ')}`)
    this.policyIds = parsed.policies.map((p) => p.id)
    const words = new Set(text.match(/[A-Za-z_][A-Za-z0-9_]*/g) ?? [])
    this.named = (k) => words.has(k)
    this.setId = `org-policy-${++compiledCounter}`
    const staticPolicies: Record<string, string> = { [BASELINE_ID]: BASELINE }
    for (const p of parsed.policies) staticPolicies[p.id] = p.text
    const answer = cedar.preparsePolicySet(this.setId, { staticPolicies })
    if (answer.type === 'failure') throw new Error(`The organization's policies do not compile: ${answer.errors.map((e) => e.message).join('; ')}`)
  }

  get empty() {
    return this.policyIds.length === 0
  }

  decide(req: PolicyRequest): PolicyDecision {
    if (this.empty) return { decision: 'allow', policies: [], errors: [] }
    const key = requestKey(req, this.named)
    const hit = this.decisions.get(key)
    if (hit) return hit
    const d = this.evaluate(req)
    if (this.decisions.size >= CACHE_LIMIT) this.decisions.clear()
    this.decisions.set(key, d)
    return d
  }

  private evaluate(req: PolicyRequest): PolicyDecision {
    const answer = cedar.statefulIsAuthorized({
      principal: { type: 'Identity', id: 'principal' },
      action: { type: 'Action', id: req.action },
      resource: { type: 'Target', id: 'resource' },
      context: cedarContext(req),
      entities: [
        { uid: { type: 'Identity', id: 'principal' }, attrs: { ...req.principal }, parents: [] },
        { uid: { type: 'Target', id: 'resource' }, attrs: { ...req.resource }, parents: [] },
      ],
      preparsedPolicySetId: this.setId,
    })
    if (answer.type === 'failure')
      return { decision: 'deny', policies: [], errors: [{ policyId: '(request)', message: answer.errors.map((e) => e.message).join('; ') }] }
    const errors = answer.response.diagnostics.errors.map((e) => ({ policyId: e.policyId, message: e.error.message }))
    const policies = answer.response.diagnostics.reason.filter((id) => id !== BASELINE_ID).sort()
    if (errors.length) return { decision: 'deny', policies: [...new Set([...policies, ...errors.map((e) => e.policyId)])].sort(), errors }
    return { decision: answer.response.decision, policies, errors }
  }
}

/** The context as Cedar reads it: the source address as an `ipaddr` extension value. */
function cedarContext(req: PolicyRequest): cedar.Context {
  if (req.action !== 'gateway_call') return req.context as unknown as cedar.Context
  return { ...req.context, sourceIp: { __extn: { fn: 'ip', arg: req.context.sourceIp } } } as unknown as cedar.Context
}

/**
 * The request's shape: every attribute the policies can read, in a fixed order (the decision cache's key); with
 * `named`, only the context fields it accepts (those the policy text mentions).
 */
export function requestKey(req: PolicyRequest, named?: (key: string) => boolean): string {
  const p = req.principal
  const r = req.resource
  const c = req.context as Record<string, unknown>
  const ctx = Object.keys(c)
    .filter((k) => !named || named(k))
    .sort()
    .map((k) => [k, Array.isArray(c[k]) ? [...(c[k] as string[])].sort() : c[k]])
  return JSON.stringify([req.action, p.kind, p.environment, p.owned, p.privileged, p.name, r.kind, r.environment, r.name, ctx])
}

/** Hour (0–23) and weekday (0 = Sunday … 6 = Saturday) in UTC, as the policies see them. */
export function clockOf(now: Date): { hourUtc: number; weekday: number } {
  return { hourUtc: now.getUTCHours(), weekday: now.getUTCDay() }
}
