import { describe, expect, it } from 'vitest'
import { checkPolicies, CompiledPolicies, parsePolicies, requestKey, type PolicyRequest } from '@/lib/policies/engine'
import { POLICY_EXAMPLES } from '@/lib/policies/examples'

const req = (over: Partial<{ kind: string; owned: boolean; scopes: string[]; ttlSeconds: number }> = {}): PolicyRequest => ({
  action: 'exchange',
  principal: { kind: over.kind ?? 'ci_cd', environment: 'production', owned: over.owned ?? true, privileged: false, name: 'svc' },
  resource: { kind: 'api', environment: 'unknown', name: 'custodian-api' },
  context: { scopes: over.scopes ?? ['a'], ttlSeconds: over.ttlSeconds ?? 900, task: '', hasTask: false, hourUtc: 10, weekday: 3 },
})

describe('policy engine', () => {
  it('the examples validate against the schema', () => {
    for (const e of POLICY_EXAMPLES) expect(checkPolicies(e.text), e.id).toEqual([])
  })

  it('no policies allow; a forbid beats a permit and is named; only permits: allowed by the baseline', () => {
    expect(new CompiledPolicies('', 0).decide(req())).toEqual({ decision: 'allow', policies: [], errors: [] })
    const c = new CompiledPolicies(
      '@id("p")\npermit (principal, action, resource);\n@id("f")\nforbid (principal, action, resource) when { principal.kind == "ci_cd" };',
      1,
    )
    expect(c.decide(req())).toMatchObject({ decision: 'deny', policies: ['f'] })
    expect(c.decide(req({ kind: 'bot' }))).toMatchObject({ decision: 'allow', policies: ['p'] })
  })

  it('gives problems with line, column and the policy id; refuses duplicate and reserved ids, templates', () => {
    const [p] = checkPolicies('@id("x")\npermit (principal, action, resource);\n\n@id("y")\nforbid (principal, action, resource)\n  when { principal.ownd };')
    expect(p).toMatchObject({ policyId: 'y', line: 6 })
    expect(p.message).toContain('did you mean `owned`?')
    expect(checkPolicies('@id("a") permit (principal, action, resource);\n@id("a") permit (principal, action, resource);')[0].message).toContain('unique')
    expect(checkPolicies('@id("custodian-baseline") permit (principal, action, resource);')[0].message).toContain('reserved')
    expect(checkPolicies('permit (principal == ?principal, action, resource);')[0].message).toContain('Templates')
    expect(parsePolicies('permit (principal, action, resource);\nforbid (principal, action, resource);')).toMatchObject({
      ok: true,
      policies: [{ id: 'policy0' }, { id: 'policy1' }],
    })
  })

  it('keys decisions by every attribute policies can read; scope order does not matter', () => {
    expect(requestKey(req({ scopes: ['a', 'b'] }))).toBe(requestKey(req({ scopes: ['b', 'a'] })))
    expect(requestKey(req({ owned: true }))).not.toBe(requestKey(req({ owned: false })))
    expect(requestKey(req({ ttlSeconds: 1 }))).not.toBe(requestKey(req({ ttlSeconds: 2 })))
    const c = new CompiledPolicies(POLICY_EXAMPLES[0].text, 1)
    expect(c.decide(req({ owned: false })).decision).toBe('deny')
    expect(c.decide(req({ owned: true })).decision).toBe('allow')
    expect(c.decide(req({ owned: false })).decision).toBe('deny')
  })
})
