import { describe, expect, it } from 'vitest'
import { ForbiddenError } from '@/lib/errors'
import { allows, assertCan, systemContext, type UserCtx } from './org-context'

const org = { id: 'o1', slug: 'acme', name: 'Acme' }

describe('who acts', () => {
  it('a member is allowed what their role allows', () => {
    const member: UserCtx = {
      org,
      user: { id: 'u1', name: 'Ada', email: 'ada@acme.example' },
      role: 'member',
      actor: { type: 'user', id: 'u1', label: 'ada@acme.example' },
    }
    expect(allows(member, 'review:decide')).toBe(true)
    expect(allows(member, 'campaign:manage')).toBe(false)
    expect(() => assertCan(member, 'campaign:manage')).toThrow(ForbiddenError)
  })

  it('the system holds no role: it is allowed what its job declares, and nothing else', () => {
    const job = { type: 'close_campaign', id: 'j1' }
    const bare = systemContext(org, job)
    expect(bare.actor).toEqual({ type: 'system', id: null, label: 'close_campaign j1', job })
    expect('role' in bare).toBe(false)
    expect(allows(bare, 'campaign:read')).toBe(false)
    expect(() => assertCan(bare, 'identity:remediate')).toThrow(ForbiddenError)
    const granted = systemContext(org, job, ['identity:remediate'])
    expect(allows(granted, 'identity:remediate')).toBe(true)
    expect(allows(granted, 'member:manage')).toBe(false)
  })

  it('a scheduler or rule without a job id is named by its type alone', () => {
    expect(systemContext(org, { type: 'auto_remediate', id: null }).actor.label).toBe('auto_remediate')
  })
})
