import { describe, expect, it } from 'vitest'
import { needsJustification } from './schemas'
import { chooseReviewer, median, nextPeriod, recommend, recommendGatewayReduce } from './recommend'

const DAY = 86_400_000
const now = Date.UTC(2026, 10, 23)
const opts = { now, dormantDays: 90, privilegedUnusedDays: 60 }
const ago = (d: number) => new Date(now - d * DAY)

describe('recommend', () => {
  it('revokes what is unused, with the reason in words', () => {
    expect(recommend({ privileged: false, lastUsedAt: ago(143), identityStatus: 'active' }, opts)).toEqual({
      recommendation: 'revoke',
      reason: 'not used for 143 days: revoke',
    })
    expect(recommend({ privileged: false, lastUsedAt: null, identityStatus: 'active' }, opts).reason).toBe('never used: revoke')
  })
  it('does not call unknown usage "never used"', () => {
    expect(recommend({ privileged: true, lastUsedAt: null, usageReported: false, identityStatus: 'active' }, opts)).toEqual({
      recommendation: 'keep',
      reason: 'usage unknown (its source does not report it): decide on need',
    })
    expect(recommend({ privileged: true, lastUsedAt: null, usageReported: true, identityStatus: 'active' }, opts).reason).toBe(
      'privileged and never used: revoke',
    )
  })
  it('is stricter with privileged access', () => {
    expect(recommend({ privileged: true, lastUsedAt: ago(70), identityStatus: 'active' }, opts)).toEqual({
      recommendation: 'revoke',
      reason: 'privileged and not used for 70 days: revoke',
    })
    expect(recommend({ privileged: false, lastUsedAt: ago(70), identityStatus: 'active' }, opts).recommendation).toBe('keep')
  })
  it('keeps recently used access', () => {
    expect(recommend({ privileged: true, lastUsedAt: ago(3), identityStatus: 'active' }, opts)).toEqual({
      recommendation: 'keep',
      reason: 'used 3 days ago: keep',
    })
    expect(recommend({ privileged: false, lastUsedAt: ago(0), identityStatus: 'active' }, opts).reason).toBe('used today: keep')
  })
  it('revokes disabled identities and expired credentials whatever the usage', () => {
    expect(recommend({ privileged: false, lastUsedAt: ago(1), identityStatus: 'disabled' }, opts).recommendation).toBe('revoke')
    expect(recommend({ privileged: false, lastUsedAt: ago(1), identityStatus: 'active', expiresAt: ago(5) }, opts).reason).toBe('expired 5 days ago: revoke')
  })
})

describe('chooseReviewer', () => {
  const members = new Set(['owner', 'backup', 'lead'])
  it('walks owner, backup, team lead, fallback and skips people who are not active members', () => {
    expect(chooseReviewer({ ownerId: 'owner', backupOwnerId: 'backup', teamLeadId: 'lead' }, members, 'fb')).toEqual({ reviewerId: 'owner', via: 'owner' })
    expect(chooseReviewer({ ownerId: 'gone', backupOwnerId: 'backup', teamLeadId: 'lead' }, members, 'fb')).toEqual({ reviewerId: 'backup', via: 'backup' })
    expect(chooseReviewer({ ownerId: null, backupOwnerId: null, teamLeadId: 'lead' }, members, 'fb')).toEqual({ reviewerId: 'lead', via: 'team_lead' })
    expect(chooseReviewer({ ownerId: 'gone', backupOwnerId: null, teamLeadId: null }, members, 'fb')).toEqual({ reviewerId: 'fb', via: 'fallback' })
  })
})

describe('justification rule', () => {
  it('asks exactly where the rule says', () => {
    expect(needsJustification('revoke', 'revoke', false)).toBe(true)
    expect(needsJustification('revoke', 'keep', true)).toBe(false)
    expect(needsJustification('privileged_keep', 'keep', true)).toBe(true)
    expect(needsJustification('privileged_keep', 'keep', false)).toBe(false)
    expect(needsJustification('always', 'keep', false)).toBe(true)
    expect(needsJustification('always', 'unsure', false)).toBe(false)
    expect(needsJustification('never', 'revoke', true)).toBe(false)
  })
})

describe('helpers', () => {
  it('computes medians and recurrence dates', () => {
    expect(median([])).toBeNull()
    expect(median([5, 1, 3])).toBe(3)
    expect(median([4, 1, 3, 2])).toBe(2.5)
    expect(
      nextPeriod('quarterly', new Date(Date.UTC(2026, 0, 31)))
        .toISOString()
        .slice(0, 7),
    ).toBe('2026-05')
    expect(
      nextPeriod('yearly', new Date(Date.UTC(2026, 5, 1)))
        .toISOString()
        .slice(0, 10),
    ).toBe('2027-06-01')
  })
})

describe('recommendGatewayReduce', () => {
  const opts = { now: Date.UTC(2026, 0, 1), dormantDays: 90, privilegedUnusedDays: 30 }
  const ago = (d: number) => new Date(opts.now - d * 86_400_000)
  const keep = { recommendation: 'keep' as const, reason: 'used 1 day ago: keep' }
  it('narrows a keep to reduce with the unused gateway grants; leaves a revoke, or nothing unused, alone', () => {
    const grants = [
      { id: 'used', lastUsedAt: ago(3) },
      { id: 'old', lastUsedAt: ago(91) },
      { id: 'never', lastUsedAt: null },
    ]
    expect(recommendGatewayReduce(keep, grants, opts)).toEqual({
      recommendation: 'reduce',
      reason: 'allowed 3 gateway rules, used 1 in 90 days: reduce (drop the 2 unused)',
      suggestedReduce: ['old', 'never'],
    })
    expect(recommendGatewayReduce({ recommendation: 'revoke', reason: 'never used: revoke' }, grants, opts)).toMatchObject({
      recommendation: 'revoke',
      suggestedReduce: [],
    })
    expect(recommendGatewayReduce(keep, [{ id: 'used', lastUsedAt: ago(89) }], opts)).toEqual({ ...keep, suggestedReduce: [] })
    expect(recommendGatewayReduce(keep, [], opts)).toEqual({ ...keep, suggestedReduce: [] })
  })
})
