'use server'
import { unstable_rethrow } from 'next/navigation'
import { orgAction, type ActionResult } from '@/lib/action'
import { getCurrentUser } from '@/lib/auth/session'
import { AppError, mapPrismaError } from '@/lib/errors'
import { acceptInvitation, inviteMember, resendInvitation, revokeInvitation } from '@/lib/members/invitations'
import { changeMemberRole, deactivateMember, removeMember } from '@/lib/members/mutations'
import { acceptInvitationSchema, changeRoleSchema, invitationIdSchema, inviteSchema, memberActionSchema } from '@/lib/members/schemas'

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

/** Not an organization action: the caller is not a member yet. The session proves who they are; the token names the invitation. */
export async function acceptInvitationAction(raw: unknown): Promise<ActionResult<{ orgSlug: string; role: string }>> {
  try {
    const parsed = acceptInvitationSchema.safeParse(raw)
    if (!parsed.success) return { ok: false, error: 'This invitation link is not valid.' }
    const user = await getCurrentUser()
    if (!user) return { ok: false, error: 'Sign in to continue.' }
    return { ok: true, data: await acceptInvitation(user, parsed.data.token) }
  } catch (err) {
    unstable_rethrow(err)
    const mapped = mapPrismaError(err)
    if (mapped instanceof AppError) return { ok: false, error: mapped.message }
    console.error('accepting an invitation failed', err)
    return { ok: false, error: 'Something went wrong on our side. Nothing was changed; try again.' }
  }
}
