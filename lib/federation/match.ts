import { createHash } from 'node:crypto'
import * as cedar from '@cedar-policy/cedar-wasm/nodejs'

// Trust rules are Cedar conditions over the subject token's claims (`context.claims`). The exchange and the "test a
// token" form both call matchRules, so what the form shows is what the exchange does.

export type RuleForMatch = { id: string; condition: string }
export type RuleVerdict = { ruleId: string; result: 'matched' | 'not-matched' | 'error'; error?: string }

/** The policy one rule becomes: the condition as the body of a single `when` clause, on any principal, action, resource. */
export function rulePolicy(condition: string): string {
  return `permit(principal, action, resource) when { ${condition} };`
}

/**
 * null when the condition is a valid Cedar expression, else a message a person can act on. The text is parsed inside a
 * policy and must come back as exactly one policy with exactly one `when` clause: a condition such as
 * `true }; permit(principal, action, resource) when { true` cannot smuggle in a second policy or an `unless`.
 */
export function checkCondition(condition: string): string | null {
  const parts = cedar.policySetTextToParts(rulePolicy(condition))
  if (parts.type === 'failure') return `The condition is not valid Cedar: ${parts.errors.map((e) => e.message).join('; ')}`
  if (parts.policies.length !== 1 || parts.policy_templates.length !== 0) return 'Write one condition (an expression), not policies.'
  const json = cedar.policyToJson(parts.policies[0])
  if (json.type === 'failure') return `The condition is not valid Cedar: ${json.errors.map((e) => e.message).join('; ')}`
  const p = json.json
  const open = p.principal.op === 'All' && p.action.op === 'All' && p.resource.op === 'All'
  if (p.effect !== 'permit' || !open || p.conditions.length !== 1 || p.conditions[0].kind !== 'when' || (p.annotations && Object.keys(p.annotations).length))
    return 'Write one condition (an expression), not policies.'
  return null
}

type CedarValue = string | number | boolean | CedarValue[] | { [k: string]: CedarValue }

/**
 * A token's claims as a Cedar record. Cedar has no null and no fractions, and reads `__entity`/`__extn`/`__expr` keys
 * as entity references and extension values, so: nulls are left out, integers stay numbers (Cedar Long), other numbers
 * become strings, and keys starting with `__` are dropped — a token cannot make its claims mean something else.
 */
export function claimsToCedar(value: unknown, depth = 0): CedarValue | undefined {
  if (depth > 16) return undefined
  if (typeof value === 'string' || typeof value === 'boolean') return value
  if (typeof value === 'number') return Number.isSafeInteger(value) ? value : String(value)
  if (Array.isArray(value)) return value.map((v) => claimsToCedar(v, depth + 1)).filter((v): v is CedarValue => v !== undefined)
  if (value && typeof value === 'object') {
    const out: Record<string, CedarValue> = {}
    for (const [k, v] of Object.entries(value)) {
      if (k.startsWith('__')) continue
      const c = claimsToCedar(v, depth + 1)
      if (c !== undefined) out[k] = c
    }
    return out
  }
  return undefined
}

// Parsed policy sets live in the Cedar module's memory under one id per rule set (the provider's), replaced when its
// rules change: parsing costs milliseconds, evaluating a preparsed set a fraction of one.
const prepared = new Map<string, { hash: string; bad: Map<string, string> }>()

function prepare(key: string, rules: readonly RuleForMatch[]): { id: string; bad: Map<string, string>; any: boolean } {
  const text = rules.map((r) => `${r.id}\u0000${r.condition}`).join('\u0001')
  const hash = createHash('sha256').update(text).digest('base64url')
  const id = `fed:${key}`
  const known = prepared.get(id)
  if (known?.hash === hash) return { id, bad: known.bad, any: known.bad.size < rules.length }
  // A rule whose stored condition no longer parses (saved by an older Cedar) errs alone instead of failing the others.
  const bad = new Map<string, string>()
  for (const r of rules) {
    const e = checkCondition(r.condition)
    if (e) bad.set(r.id, e)
  }
  const good = rules.filter((r) => !bad.has(r.id))
  if (good.length) {
    const answer = cedar.preparsePolicySet(id, { staticPolicies: Object.fromEntries(good.map((r) => [r.id, rulePolicy(r.condition)])) })
    if (answer.type === 'failure') throw new Error(`Trust rules do not parse: ${answer.errors.map((e) => e.message).join('; ')}`)
  }
  prepared.set(id, { hash, bad })
  return { id, bad, any: good.length > 0 }
}

/**
 * Each rule's verdict on the claims: matched (its condition is true), not matched (false) or error (the condition
 * failed, e.g. it reads a claim the token does not carry: never a match). `key` names the rule set (a provider id).
 */
export function matchRules(key: string, rules: readonly RuleForMatch[], claims: Record<string, unknown>): RuleVerdict[] {
  if (rules.length === 0) return []
  const { id, bad, any } = prepare(key, rules)
  let reason = new Set<string>()
  const errors = new Map<string, string>()
  if (any) {
    const answer = cedar.statefulIsAuthorized({
      principal: { type: 'Workload', id: 'subject' },
      action: { type: 'Action', id: 'exchange' },
      resource: { type: 'Identity', id: 'any' },
      context: { claims: claimsToCedar(claims) ?? {} } as cedar.Context,
      preparsedPolicySetId: id,
      entities: [],
    })
    if (answer.type === 'failure') throw new Error(`Cedar could not evaluate the rules: ${answer.errors.map((e) => e.message).join('; ')}`)
    reason = new Set(answer.response.diagnostics.reason)
    for (const e of answer.response.diagnostics.errors) errors.set(e.policyId, e.error.message)
  }
  return rules.map((r): RuleVerdict => {
    const err = bad.get(r.id) ?? errors.get(r.id)
    if (err !== undefined) return { ruleId: r.id, result: 'error', error: err }
    return { ruleId: r.id, result: reason.has(r.id) ? 'matched' : 'not-matched' }
  })
}
