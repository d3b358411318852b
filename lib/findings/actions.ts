'use server'
import { orgAction } from '@/lib/action'
import { acceptFinding, requestFindingsRecompute, revokeAcceptance, updatePostureSettings } from '@/lib/findings/mutations'
import { acceptFindingSchema, postureSettingsSchema, recomputeFindingsSchema, revokeAcceptanceSchema } from '@/lib/findings/schemas'

// orgAction entries are declarations (schema, permission, revalidate, run); their likeness is the pattern, not shared logic.
export const acceptFindingAction = orgAction({
  schema: acceptFindingSchema,
  permission: 'finding:accept',
  revalidate: '/findings',
  run: async ({ ctx, input }) => ({ id: (await acceptFinding(ctx, input)).id }),
})

export const revokeAcceptanceAction = orgAction({
  schema: revokeAcceptanceSchema,
  permission: 'finding:accept',
  revalidate: '/findings',
  run: ({ ctx, input }) => revokeAcceptance(ctx, input),
})

export const recomputeFindingsAction = orgAction({
  schema: recomputeFindingsSchema,
  permission: 'job:manage',
  revalidate: '/findings',
  run: ({ ctx }) => requestFindingsRecompute(ctx),
})

export const updatePostureSettingsAction = orgAction({
  schema: postureSettingsSchema,
  permission: 'settings:manage',
  revalidate: '/settings/posture',
  run: async ({ ctx, input }) => {
    await updatePostureSettings(ctx, input)
    return { saved: true }
  },
})
