'use server'
import { orgAction } from '@/lib/action'
import { inviteMember, resendInvitation, revokeInvitation } from '@/lib/members/invitations'
import { changeMemberRole, deactivateMember, removeMember } from '@/lib/members/mutations'
import { changeRoleSchema, invitationIdSchema, inviteSchema, memberActionSchema } from '@/lib/members/schemas'

const manage = { permission: 'member:manage', revalidate: '/settings' } as const
const withIsoExpiry = async <T extends { expiresAt: Date }>(pending: Promise<T>) => {
  const r = await pending
  return { ...r, expiresAt: r.expiresAt.toISOString() }
}

export const removeMemberAction = orgAction({ ...manage, schema: memberActionSchema, run: ({ ctx, input }) => removeMember(ctx, input.userId) })

export const deactivateMemberAction = orgAction({ ...manage, schema: memberActionSchema, run: ({ ctx, input }) => deactivateMember(ctx, input.userId) })

// A role shows in the navigation too: the whole organization re-renders.
export const changeMemberRoleAction = orgAction({ ...manage, revalidate: '', schema: changeRoleSchema, run: ({ ctx, input }) => changeMemberRole(ctx, input) })

/** Returns the invitation link's path once: only its hash is stored. */
export const inviteMemberAction = orgAction({ ...manage, schema: inviteSchema, run: ({ ctx, input }) => withIsoExpiry(inviteMember(ctx, input)) })

export const resendInvitationAction = orgAction({
  ...manage,
  schema: invitationIdSchema,
  run: ({ ctx, input }) => withIsoExpiry(resendInvitation(ctx, input.invitationId)),
})

export const revokeInvitationAction = orgAction({ ...manage, schema: invitationIdSchema, run: ({ ctx, input }) => revokeInvitation(ctx, input.invitationId) })
