import { describe, expect, it } from 'vitest'
import { OrgPolicy, ruleToCedar, type RuleRow } from './policy'
import { RateLimiter } from './rate-limit'

const rule = (r: Partial<RuleRow>): RuleRow => ({
  id: 'r1',
  routeId: 'route',
  principalType: 'identity',
  identityId: 'i1',
  teamId: null,
  tagKey: null,
  tagValue: null,
  methods: '["GET"]',
  paths: '["/orders/*"]',
  ...r,
})
const who = {
  id: 'i1',
  name: 'payments-deploy',
  status: 'active',
  teamId: 't1',
  tags: ['env=prod'],
  withdrawn: [] as string[],
  attrs: { kind: 'ci_cd', environment: 'production', owned: true, privileged: false, name: 'payments-deploy' },
  unusual: false,
}
const route = { id: 'route', name: 'payments' }

describe('gateway policy', () => {
  it('names the rule that allowed a call, and what is missing when none did', () => {
    const p = new OrgPolicy([rule({}), rule({ id: 'r2', principalType: 'team', identityId: null, teamId: 't1', methods: '["*"]', paths: '["/teams"]' })])
    expect(p.decide(who, route, 'GET', '/orders/1')).toEqual({ allow: true, ruleId: 'r1', reason: null })
    expect(p.decide(who, route, 'DELETE', '/teams')).toMatchObject({ allow: true, ruleId: 'r2' })
    expect(p.decide(who, route, 'POST', '/orders/1')).toEqual({
      allow: false,
      ruleId: null,
      reason: 'no rule lets identity payments-deploy call POST /orders/1 on route payments',
    })
    expect(p.decide(who, { id: 'other', name: 'other' }, 'GET', '/orders/1').allow).toBe(false)
  })

  it('withdraws a rule whose grant is revoked, and forbids an identity that is not active', () => {
    const p = new OrgPolicy([rule({})])
    expect(p.decide({ ...who, withdrawn: ['r1'] }, route, 'GET', '/orders/1').reason).toMatch(/grant on a rule of this route is revoked/)
    expect(p.decide({ ...who, status: 'quarantined' }, route, 'GET', '/orders/1')).toMatchObject({ allow: false, ruleId: 'identity-not-active' })
  })

  it('matches tags, keeps quotes in patterns literal, and drops rules that cannot match anyone', () => {
    const p = new OrgPolicy([rule({ principalType: 'tag', identityId: null, tagKey: 'env', tagValue: 'prod', paths: '["/a\\"b*"]' })])
    expect(p.decide(who, route, 'GET', '/a"bc').allow).toBe(true)
    expect(p.decide({ ...who, tags: [] }, route, 'GET', '/a"bc').allow).toBe(false)
    expect(ruleToCedar(rule({ methods: '[]' }))).toBeNull()
    expect(ruleToCedar(rule({ principalType: 'team', identityId: null }))).toBeNull()
  })
})

describe('gateway rate limit', () => {
  it('allows the burst, then one call per 1/rate seconds, and says how long to wait', () => {
    const l = new RateLimiter()
    expect([0, 1, 2].map(() => l.take('k', 2, 3, 0))).toEqual([0, 0, 0])
    expect(l.take('k', 2, 3, 0)).toBe(1)
    expect(l.take('k', 2, 3, 500)).toBe(0)
    expect(l.take('k', 0.1, 3, 500)).toBe(10)
  })
})
