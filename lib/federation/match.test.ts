import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { checkCondition, claimsToCedar, matchRules } from '@/lib/federation/match'
import { cedarString, githubCondition, kubernetesCondition } from '@/lib/federation/schemas'

describe('checkCondition', () => {
  it('accepts a condition over claims and refuses what is not one expression', () => {
    expect(checkCondition('context.claims.repository_id == "892341" && context.claims.ref == "refs/heads/main"')).toBeNull()
    expect(checkCondition('context.claims.x ==')).toMatch(/not valid Cedar/)
    expect(checkCondition('true }; permit(principal, action, resource) when { true')).toMatch(/one condition/)
    expect(checkCondition('true } unless { false')).toMatch(/one condition/)
  })
})

describe('claimsToCedar', () => {
  it('drops nulls and __ keys, keeps integers and turns fractions into strings', () => {
    expect(claimsToCedar({ a: null, __entity: { type: 'X', id: 'y' }, n: 3, f: 1.5, s: [{ __extn: 1, ok: true }] })).toEqual({
      n: 3,
      f: '1.5',
      s: [{ ok: true }],
    })
  })
})

describe('matchRules', () => {
  it('says matched, not matched or error for each rule', () => {
    const rules = [
      { id: 'r1', condition: 'context.claims.repository_id == "1"' },
      { id: 'r2', condition: 'context.claims.repository_id == "2"' },
      { id: 'r3', condition: 'context.claims.environment == "prod"' },
      { id: 'r4', condition: 'this is not cedar' },
    ]
    const v = matchRules('unit-1', rules, { repository_id: '1' })
    expect(v.map((x) => x.result)).toEqual(['matched', 'not-matched', 'error', 'error'])
    expect(v[2].error).toMatch(/environment/)
  })

  it('reads dotted claim names (Kubernetes) and escapes strings', () => {
    const cond = kubernetesCondition({ namespace: 'payments', serviceAccount: 'deploy' })
    const claims = { sub: 'system:serviceaccount:payments:deploy', 'kubernetes.io': { namespace: 'payments', serviceaccount: { name: 'deploy', uid: 'u' } } }
    expect(matchRules('unit-2', [{ id: 'k', condition: cond }], claims)[0].result).toBe('matched')
    expect(matchRules('unit-2', [{ id: 'k', condition: cond }], { ...claims, sub: 'system:serviceaccount:payments:other' })[0].result).toBe('not-matched')
    const odd = 'a"b\\c\nd\u0001'
    expect(matchRules('unit-3', [{ id: 'e', condition: `context.claims.v == ${cedarString(odd)}` }], { v: odd })[0].result).toBe('matched')
  })

  it('agrees with a direct evaluation of the GitHub helper conditions for random claims (property)', () => {
    const pick = <T>(xs: T[]) => fc.constantFrom(...xs)
    const ids = ['892341', '892342', '1']
    const refs = ['refs/heads/main', 'refs/heads/dev', 'refs/tags/v1']
    const envs = ['production', 'staging']
    const claims = fc.record(
      { repository_id: pick(ids), repository_owner_id: pick(ids), ref: pick(refs), environment: pick(envs), repository: pick(['acme/payments', 'acme/web']) },
      { requiredKeys: ['repository_id', 'repository_owner_id', 'ref'] },
    )
    const fields = fc.record(
      { repositoryId: pick(ids), repositoryOwnerId: pick(ids), ref: pick(refs), environment: pick(envs) },
      { requiredKeys: ['repositoryId'] },
    )
    let n = 0
    fc.assert(
      fc.property(fc.array(fields, { minLength: 1, maxLength: 4 }), claims, (rules, c) => {
        const verdicts = matchRules(
          `prop-${n++ % 5}`,
          rules.map((f, i) => ({ id: `r${i}`, condition: githubCondition(f) })),
          c,
        )
        rules.forEach((f, i) => {
          const direct =
            c.repository_id === f.repositoryId &&
            (f.repositoryOwnerId === undefined || c.repository_owner_id === f.repositoryOwnerId) &&
            (f.ref === undefined || c.ref === f.ref) &&
            (f.environment === undefined || c.environment === f.environment)
          expect(verdicts[i].result).toBe(direct ? 'matched' : 'not-matched')
        })
      }),
      { numRuns: 300 },
    )
  })
})
