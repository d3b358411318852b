'use server'
import { orgAction } from '@/lib/action'
import { createOwnerRequest, decideOwnerRequest, updateOwnerActionsSetting } from '@/lib/requests/mutations'
import { decideOwnerRequestSchema, ownerActionsSettingSchema, ownerRequestSchema } from '@/lib/requests/schemas'

// Owners act on what they own: the role check is identity:attest (owners' permission); the domain checks ownership.
export const createOwnerRequestAction = orgAction({
  schema: ownerRequestSchema,
  permission: 'identity:attest',
  revalidate: (input) => [`/identities/${input.identityId}`, '/requests'],
  run: ({ ctx, input: { orgSlug: _slug, ...request } }) => createOwnerRequest(ctx, request),
})

export const decideOwnerRequestAction = orgAction({
  schema: decideOwnerRequestSchema,
  permission: 'identity:remediate',
  revalidate: '/requests',
  run: ({ ctx, input }) => decideOwnerRequest(ctx, { ownerRequestId: input.ownerRequestId, approve: input.approve, reason: input.reason }),
})

export const updateOwnerActionsSettingAction = orgAction({
  schema: ownerActionsSettingSchema,
  permission: 'settings:manage',
  revalidate: '/settings',
  run: ({ ctx, input }) => updateOwnerActionsSetting(ctx, { ownersActDirectly: input.ownersActDirectly }),
})
