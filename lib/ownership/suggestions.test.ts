import { describe, expect, it } from 'vitest'
import { band, suggestOwners, type SuggestionDirectory } from './suggestions'

const dir: SuggestionDirectory = {
  membersByEmail: new Map([
    ['mo@acme.example', { id: 'mo', name: 'Mo' }],
    ['ada@acme.example', { id: 'ada', name: 'Ada' }],
  ]),
  membersById: new Map([
    ['mo', { id: 'mo', name: 'Mo', email: 'mo@acme.example' }],
    ['ada', { id: 'ada', name: 'Ada', email: 'ada@acme.example' }],
  ]),
  teamsBySlug: new Map([
    ['payments', { id: 't-pay', name: 'Payments', leadId: 'ada' }],
    ['data-platform', { id: 't-dp', name: 'Data platform', leadId: null }],
  ]),
}
const base = { name: 'svc', metadata: '{}', tags: [], rotatedByIds: [] }

describe('owner suggestions', () => {
  it('ranks an owner tag above the creator and dedupes the same person', () => {
    const s = suggestOwners({ ...base, metadata: JSON.stringify({ creator: 'Mo@Acme.example', labels: { owner: 'mo@acme.example' } }) }, dir)
    expect(s).toHaveLength(1)
    expect(s[0]).toMatchObject({ ownerId: 'mo', source: 'owner-tag', band: 'high' })
  })
  it('ignores people who are not active members', () => {
    expect(suggestOwners({ ...base, metadata: JSON.stringify({ creator: 'left@acme.example' }), rotatedByIds: ['ghost'] }, dir)).toEqual([])
  })
  it('proposes the last rotator with medium confidence', () => {
    expect(suggestOwners({ ...base, rotatedByIds: ['ghost', 'ada'] }, dir)[0]).toMatchObject({ ownerId: 'ada', source: 'rotated-by', band: 'medium' })
  })
  it('maps a team tag or a name containing a team slug to the team and its lead', () => {
    expect(suggestOwners({ ...base, tags: [{ key: 'team', value: 'payments' }] }, dir)[0]).toMatchObject({
      ownerId: 'ada',
      teamId: 't-pay',
      source: 'team-tag',
    })
    expect(suggestOwners({ ...base, name: 'ci-data-platform-loader' }, dir)[0]).toMatchObject({
      ownerId: null,
      teamId: 't-dp',
      source: 'name-prefix',
      band: 'low',
    })
    expect(suggestOwners({ ...base, name: 'paymentsx' }, dir)).toEqual([])
  })
  it('survives unreadable metadata', () => {
    expect(suggestOwners({ ...base, metadata: 'not json' }, dir)).toEqual([])
    expect([band(95), band(70), band(40)]).toEqual(['high', 'medium', 'low'])
  })
})
