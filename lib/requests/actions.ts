'use server'
import { revalidatePath } from 'next/cache'
import { orgAction } from '@/lib/action'
import { createOwnerRequest, decideOwnerRequest, updateOwnerActionsSetting } from '@/lib/requests/mutations'
import { decideOwnerRequestSchema, ownerActionsSettingSchema, ownerRequestSchema } from '@/lib/requests/schemas'

// Owners act on what they own: the role check is identity:attest (owners' permission); the domain checks ownership.
export const createOwnerRequestAction = orgAction({
  schema: ownerRequestSchema,
  permission: 'identity:attest',
  run: async ({ ctx, input }) => {
    const { orgSlug: _slug, ...request } = input
    const r = await createOwnerRequest(ctx, request)
    revalidatePath(`/${ctx.org.slug}/identities/${input.identityId}`)
    revalidatePath(`/${ctx.org.slug}/requests`)
    return r
  },
})

export const decideOwnerRequestAction = orgAction({
  schema: decideOwnerRequestSchema,
  permission: 'identity:remediate',
  run: async ({ ctx, input }) => {
    const r = await decideOwnerRequest(ctx, { ownerRequestId: input.ownerRequestId, approve: input.approve, reason: input.reason })
    revalidatePath(`/${ctx.org.slug}/requests`)
    return r
  },
})

export const updateOwnerActionsSettingAction = orgAction({
  schema: ownerActionsSettingSchema,
  permission: 'settings:manage',
  run: async ({ ctx, input }) => {
    const r = await updateOwnerActionsSetting(ctx, { ownersActDirectly: input.ownersActDirectly })
    revalidatePath(`/${ctx.org.slug}/settings`)
    return r
  },
})
