import { describe, expect, it } from 'vitest'
import { checkPolicies, CompiledPolicies, parsePolicies, requestKey, type PolicyRequest } from '@/lib/policies/engine'
import { POLICY_EXAMPLES } from '@/lib/policies/examples'
import { apiCallRequest, gatewayCallRequest, routeTarget } from '@/lib/policies/request'

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

  it('gateway_call: the source address is an ipaddr, the token kind, task and unusual use are context; each is part of the cache key', () => {
    const c = new CompiledPolicies(
      POLICY_EXAMPLES.filter((e) => ['unusual-gateway-use', 'production-routes-private-networks'].includes(e.id))
        .map((e) => e.text)
        .join('\n'),
      1,
    )
    const prod = routeTarget({ name: 'payments', environment: 'production' })
    const who = req().principal
    const call = (over: Partial<Parameters<typeof gatewayCallRequest>[2]> = {}) =>
      gatewayCallRequest(who, prod, {
        method: 'get',
        path: '/orders',
        sourceIp: '10.1.2.3',
        tokenKind: 'gateway_token',
        task: null,
        unusual: false,
        at: new Date(),
        ...over,
      })
    expect(call().context).toMatchObject({ method: 'GET', sourceIp: '10.1.2.3', tokenKind: 'gateway_token', task: '', hasTask: false, unusual: false })
    expect(c.decide(call()).decision).toBe('allow')
    expect(c.decide(call({ unusual: true }))).toMatchObject({ decision: 'deny', policies: ['unusual-gateway-use'] })
    expect(c.decide(call({ sourceIp: '192.168.1.1' }))).toMatchObject({ decision: 'deny', policies: ['production-routes-private-networks'] })
    expect(c.decide(call({ sourceIp: '::1' })).decision).toBe('allow')
    expect(c.decide(call({ sourceIp: null })).decision).toBe('deny') // unknown: 0.0.0.0, not a private network
    expect(c.decide(call({ sourceIp: '192.168.1.1' }))).toMatchObject({ decision: 'deny' }) // from the cache, the same answer
    expect(requestKey(call({ tokenKind: 'access_token' }))).not.toBe(requestKey(call()))
    expect(requestKey(call({ task: 'x' }))).not.toBe(requestKey(call()))
    // Fields no policy names are left out of the cache key: one entry for every path and address when only `unusual` is read.
    const only = new CompiledPolicies(POLICY_EXAMPLES.find((e) => e.id === 'unusual-gateway-use')!.text, 1)
    for (const path of ['/a', '/b', '/c']) expect(only.decide(call({ path, sourceIp: `10.0.0.${path.length}` })).decision).toBe('allow')
    expect(only.decide(call({ unusual: true })).decision).toBe('deny')
    expect((only as unknown as { decisions: Map<string, unknown> }).decisions.size).toBe(2)
  })

  it('api_call: the operation, scope and task; the target is always the API', () => {
    const r = apiCallRequest(
      { kind: 'workload', environment: 'staging', ownerId: null, privileged: false, name: 'w' },
      { operation: 'listIdentities', method: 'get', scope: 'identities:read', task: 'sync', at: new Date() },
    )
    expect(r).toMatchObject({
      action: 'api_call',
      resource: { kind: 'api', name: 'custodian-api' },
      context: { operation: 'listIdentities', method: 'GET', scope: 'identities:read', task: 'sync', hasTask: true },
    })
    const c = new CompiledPolicies(POLICY_EXAMPLES.find((e) => e.id === 'workloads-read-only-api')!.text, 1)
    expect(c.decide(r).decision).toBe('allow')
    expect(c.decide({ ...r, context: { ...r.context, method: 'POST', task: '', hasTask: false } }).decision).toBe('deny')
    expect(c.decide({ ...r, context: { ...r.context, method: 'POST' } }).decision).toBe('allow')
  })
})
