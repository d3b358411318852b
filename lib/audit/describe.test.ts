import { describe, expect, it } from 'vitest'
import { describeOwnershipChange, ownershipIds, parseDetails } from './describe'

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
})
