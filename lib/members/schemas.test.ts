import { describe, expect, it } from 'vitest'
import { personStatus } from './person'
import { changeRoleSchema, invitationTokenSchema, inviteSchema } from './schemas'

describe('member schemas', () => {
  it('normalises the invited address and refuses what is not one', () => {
    expect(inviteSchema.parse({ orgSlug: 'acme', email: '  Jane.Doe@Example.COM ', role: 'member' }).email).toBe('jane.doe@example.com')
    const bad = inviteSchema.safeParse({ orgSlug: 'acme', email: 'jane', role: 'member' })
    expect(bad.success).toBe(false)
    expect(bad.error?.issues[0].message).toMatch(/e-mail address/)
    expect(inviteSchema.safeParse({ orgSlug: 'acme', email: 'jane@example.com', role: 'owner' }).success).toBe(false)
  })
  it('accepts only the four roles for a role change', () => {
    expect(changeRoleSchema.safeParse({ orgSlug: 'acme', userId: 'u1', role: 'auditor' }).success).toBe(true)
    expect(changeRoleSchema.safeParse({ orgSlug: 'acme', userId: 'u1', role: 'superuser' }).success).toBe(false)
    expect(changeRoleSchema.safeParse({ orgSlug: 'acme', userId: "u1' OR 1=1", role: 'admin' }).success).toBe(false)
  })
  it('recognises only tokens of the shape we issue', () => {
    expect(invitationTokenSchema.safeParse('a'.repeat(43)).success).toBe(true)
    expect(invitationTokenSchema.safeParse('a'.repeat(42)).success).toBe(false)
    expect(invitationTokenSchema.safeParse(`${'a'.repeat(42)}/`).success).toBe(false)
  })
})

describe('personStatus', () => {
  it('tells deactivated people from people who left this organization', () => {
    expect(personStatus({ active: true, memberships: [{ status: 'active' }] })).toBe('active')
    expect(personStatus({ active: false, memberships: [{ status: 'active' }] })).toBe('deactivated')
    expect(personStatus({ active: true, memberships: [{ status: 'removed' }] })).toBe('left')
    expect(personStatus({ active: true, memberships: [] })).toBe('left')
  })
})
