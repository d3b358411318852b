import { z } from 'zod'
import { ROLES } from '@/lib/auth/permissions'

const id = z.string().regex(/^[a-z0-9_-]{1,40}$/i)

export const memberActionSchema = z.object({
  orgSlug: z.string().min(1).max(64),
  userId: id,
})

export const roleSchema = z.enum(ROLES, { error: 'Choose a role: admin, governance, member or auditor.' })

export const changeRoleSchema = memberActionSchema.extend({ role: roleSchema })
export type ChangeRoleInput = z.infer<typeof changeRoleSchema>

export const inviteSchema = z.object({
  orgSlug: z.string().min(1).max(64),
  email: z.string().trim().toLowerCase().max(254, 'That e-mail address is too long.').pipe(z.email('Enter an e-mail address, like jane@example.com.')),
  role: roleSchema,
})
export type InviteInput = z.infer<typeof inviteSchema>

export const invitationIdSchema = z.object({ orgSlug: z.string().min(1).max(64), invitationId: id })

/** The token in an invitation link: 32 random bytes, base64url. Anything else is not a link we made. */
export const invitationTokenSchema = z.string().regex(/^[A-Za-z0-9_-]{43}$/)

/** Accepting takes any short string: a token that is not ours is answered by acceptInvitation like an unknown one. */
export const acceptInvitationSchema = z.object({ token: z.string().max(200) })

export const INVITATION_DAYS = 7

export type InvitationState = 'pending' | 'expired' | 'accepted' | 'revoked'

export function invitationState(inv: { status: string; expiresAt: Date }, now = new Date()): InvitationState {
  if (inv.status === 'accepted' || inv.status === 'revoked') return inv.status
  return inv.expiresAt.getTime() <= now.getTime() ? 'expired' : 'pending'
}
