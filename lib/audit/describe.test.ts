import { describe, expect, it } from 'vitest'
import { describeChange, describeOwnershipChange, ownershipIds, parseDetails } from './describe'

const names = { u1: 'Mo Member', u2: 'Ada Admin', t1: 'Payments' }

describe('audit change descriptions', () => {
  it('names the people and teams of one identity’s ownership change', () => {
    const d = { from: { ownerId: null, backupOwnerId: 'u2', teamId: null }, to: { ownerId: 'u1', backupOwnerId: 'u2', teamId: 't1' }, origin: 'manual' }
    expect(ownershipIds(d).sort()).toEqual(['t1', 'u1', 'u2'])
    expect(describeOwnershipChange(d, names)).toBe('owner: nobody → Mo Member · team: nobody → Payments')
  })

  it('names the fields of a bulk assignment and falls back to the id for someone unknown', () => {
    expect(describeOwnershipChange({ selected: 4, fields: { ownerId: 'u1', teamId: 'gone' } }, names)).toBe('owner → Mo Member · team → gone')
    expect(describeOwnershipChange({ fields: { ownerId: null } }, names)).toBe('owner → nobody')
  })

  it('says nothing for other rows and survives bad JSON', () => {
    expect(describeOwnershipChange({ kind: 'revoke_grant' }, names)).toBeNull()
    expect(parseDetails('not json')).toEqual({})
    expect(parseDetails('[1]')).toEqual({})
  })

  it('says what a review decision, a settings change and a bulk change did, by name', () => {
    expect(
      describeChange(
        {
          decision: 'revoke',
          previous: 'keep',
          identity: { id: 'i1', name: 'billing-bot' },
          grant: { id: 'g1', name: 'admin on payments-db' },
        },
        {},
      ),
    ).toBe('decision: keep → revoke · identity: billing-bot · grant: admin on payments-db')
    expect(describeChange({ before: { dormantDays: 90, rotationMaxDays: 365 }, after: { dormantDays: 60, rotationMaxDays: 365 } }, {})).toBe(
      'dormantDays: 90 → 60',
    )
    expect(describeChange({ from: 'member', to: 'auditor' }, {})).toBe('member → auditor')
    expect(describeChange({ name: { from: 'Old', to: 'New' } }, {})).toBe('name: Old → New')
    expect(
      describeChange(
        { decision: 'keep', counts: { keep: 5 }, items: ['a', 'b', 'c', 'd', 'e'].map((n) => ({ id: n, identity: `svc-${n}`, decision: 'keep' })) },
        {},
      ),
    ).toBe('decision: keep · 5 keep · items: svc-a, svc-b, svc-c and 2 more')
    expect(describeChange({ selected: 120, identities: [{ id: 'x', name: 'one' }] }, {})).toBe('identities: one and 119 more')
    expect(describeChange({ selected: 120, identities: [1, 2, 3, 4].map((i) => ({ id: `x${i}`, name: `n${i}` })) }, {})).toBe(
      'identities: n1, n2, n3 and 117 more',
    )
    expect(describeChange({ decision: 'keep', counts: { keep: 70, revoke: 30 }, items: [{ id: 'a', identity: 'svc-a', decision: 'keep' }] }, {})).toBe(
      'decision: keep · 70 keep, 30 revoke · items: svc-a and 99 more',
    )
    expect(describeChange({ rule: 'keep', items: 80, identities: [{ id: 'i1', name: 'svc-a' }] }, {})).toBe('identities: svc-a and 79 more')
    expect(describeChange({ jobId: 'j1' }, {})).toBeNull()
  })
})
