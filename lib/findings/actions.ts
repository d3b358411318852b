'use server'
import { orgAction } from '@/lib/action'
import { acceptFinding, requestFindingsRecompute, revokeAcceptance, updatePostureSettings } from '@/lib/findings/mutations'
import { acceptFindingSchema, postureSettingsSchema, recomputeFindingsSchema, revokeAcceptanceSchema } from '@/lib/findings/schemas'

const accept = { permission: 'finding:accept', revalidate: '/findings' } as const

export const acceptFindingAction = orgAction({
  ...accept,
  schema: acceptFindingSchema,
  run: async ({ ctx, input }) => ({ id: (await acceptFinding(ctx, input)).id }),
})

export const revokeAcceptanceAction = orgAction({ ...accept, schema: revokeAcceptanceSchema, run: ({ ctx, input }) => revokeAcceptance(ctx, input) })

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
