'use server'
import { revalidatePath } from 'next/cache'
import { orgAction } from '@/lib/action'
import { inviteMember, resendInvitation, revokeInvitation } from '@/lib/members/invitations'
import { changeMemberRole, deactivateMember, removeMember } from '@/lib/members/mutations'
import { changeRoleSchema, invitationIdSchema, inviteSchema, memberActionSchema } from '@/lib/members/schemas'

export const removeMemberAction = orgAction({
  schema: memberActionSchema,
  permission: 'member:manage',
  run: async ({ ctx, input }) => {
    const r = await removeMember(ctx, input.userId)
    revalidatePath(`/${ctx.org.slug}/settings`)
    return r
  },
})

export const deactivateMemberAction = orgAction({
  schema: memberActionSchema,
  permission: 'member:manage',
  run: async ({ ctx, input }) => {
    const r = await deactivateMember(ctx, input.userId)
    revalidatePath(`/${ctx.org.slug}/settings`)
    return r
  },
})

export const changeMemberRoleAction = orgAction({
  schema: changeRoleSchema,
  permission: 'member:manage',
  run: async ({ ctx, input }) => {
    const r = await changeMemberRole(ctx, input)
    revalidatePath(`/${ctx.org.slug}`, 'layout')
    return r
  },
})

/** Returns the invitation link's path once: only its hash is stored. */
export const inviteMemberAction = orgAction({
  schema: inviteSchema,
  permission: 'member:manage',
  run: async ({ ctx, input }) => {
    const r = await inviteMember(ctx, input)
    revalidatePath(`/${ctx.org.slug}/settings`)
    return { ...r, expiresAt: r.expiresAt.toISOString() }
  },
})

export const resendInvitationAction = orgAction({
  schema: invitationIdSchema,
  permission: 'member:manage',
  run: async ({ ctx, input }) => {
    const r = await resendInvitation(ctx, input.invitationId)
    revalidatePath(`/${ctx.org.slug}/settings`)
    return { ...r, expiresAt: r.expiresAt.toISOString() }
  },
})

export const revokeInvitationAction = orgAction({
  schema: invitationIdSchema,
  permission: 'member:manage',
  run: async ({ ctx, input }) => {
    const r = await revokeInvitation(ctx, input.invitationId)
    revalidatePath(`/${ctx.org.slug}/settings`)
    return r
  },
})
