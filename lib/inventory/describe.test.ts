import { describe, expect, it } from 'vitest'
import { describeFilter } from './describe'
import { identityFilterSchema } from './schemas'

const names = { users: { u1: 'Mo Member' }, sources: { s1: 'AWS prod' }, teams: { t1: 'Payments' }, me: 'Grace Governance' }

describe('describeFilter', () => {
  it('names people, sources and teams instead of showing their ids', () => {
    const f = identityFilterSchema.parse({ owner: 'u1', source: 's1,s2', team: 't1', kind: 'bot,api_key', privileged: 'yes', finding: 'NHI5' })
    const text = describeFilter(f, names).join(' · ')
    expect(text).toBe(
      'kind: Bot, API key · source: AWS prod, a removed source · owner: Mo Member · team: Payments · privileged · open finding: NHI5 Overprivileged NHI',
    )
    expect(text).not.toMatch(/u1|s1|t1/)
  })

  it('says who "me" and "unowned" are, and keeps search words', () => {
    expect(describeFilter(identityFilterSchema.parse({ owner: 'me', q: 'deploy' }), names)).toEqual(['name contains “deploy”', 'owner: Grace Governance'])
    expect(describeFilter(identityFilterSchema.parse({ owner: 'unowned', dormant: 'yes' }), names)).toEqual(['no owner', 'dormant'])
    expect(describeFilter(identityFilterSchema.parse({ owner: 'gone' }), names)).toEqual(['owner: a former member'])
    expect(describeFilter(identityFilterSchema.parse({}), names)).toEqual([])
  })
})
