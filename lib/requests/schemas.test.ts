import { describe, expect, it } from 'vitest'
import { decideOwnerRequestSchema, ownerRequestSchema } from './schemas'

const base = { orgSlug: 'acme', identityId: 'i1', justification: 'not needed any more' }

describe('owner request schemas', () => {
  it('names exactly one grant to revoke, or one credential to revoke or rotate', () => {
    expect(ownerRequestSchema.safeParse({ ...base, kind: 'revoke_grant', grantId: 'g1' }).success).toBe(true)
    expect(ownerRequestSchema.safeParse({ ...base, kind: 'rotate_credential', credentialId: 'c1' }).success).toBe(true)
    expect(ownerRequestSchema.safeParse({ ...base, kind: 'revoke_grant', credentialId: 'c1' }).success).toBe(false)
    expect(ownerRequestSchema.safeParse({ ...base, kind: 'revoke_credential', credentialId: 'c1', grantId: 'g1' }).success).toBe(false)
    // Owners cannot ask to disable or delete the identity through this path.
    expect(ownerRequestSchema.safeParse({ ...base, kind: 'disable_identity' }).success).toBe(false)
    expect(ownerRequestSchema.safeParse({ ...base, kind: 'revoke_grant', grantId: 'g1', justification: 'no' }).success).toBe(false)
  })
  it('needs a reason to reject, not to approve', () => {
    expect(decideOwnerRequestSchema.safeParse({ orgSlug: 'acme', ownerRequestId: 'r1', approve: true }).success).toBe(true)
    const r = decideOwnerRequestSchema.safeParse({ orgSlug: 'acme', ownerRequestId: 'r1', approve: false, reason: ' ' })
    expect(r.success).toBe(false)
    expect(r.error?.issues[0].path).toEqual(['reason'])
  })
})
