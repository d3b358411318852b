'use server'
import { revalidatePath } from 'next/cache'
import { orgAction } from '@/lib/action'
import { acceptFinding, requestFindingsRecompute, revokeAcceptance, updatePostureSettings } from '@/lib/findings/mutations'
import { acceptFindingSchema, postureSettingsSchema, recomputeFindingsSchema, revokeAcceptanceSchema } from '@/lib/findings/schemas'

export const acceptFindingAction = orgAction({
  schema: acceptFindingSchema,
  permission: 'finding:accept',
  run: async ({ ctx, input }) => {
    const result = await acceptFinding(ctx, input)
    revalidatePath(`/${ctx.org.slug}/findings`)
    return { id: result.id }
  },
})

export const revokeAcceptanceAction = orgAction({
  schema: revokeAcceptanceSchema,
  permission: 'finding:accept',
  run: async ({ ctx, input }) => {
    const result = await revokeAcceptance(ctx, input)
    revalidatePath(`/${ctx.org.slug}/findings`)
    return result
  },
})

export const recomputeFindingsAction = orgAction({
  schema: recomputeFindingsSchema,
  permission: 'job:manage',
  run: async ({ ctx }) => {
    const result = await requestFindingsRecompute(ctx)
    revalidatePath(`/${ctx.org.slug}/findings`)
    return result
  },
})

export const updatePostureSettingsAction = orgAction({
  schema: postureSettingsSchema,
  permission: 'settings:manage',
  run: async ({ ctx, input }) => {
    await updatePostureSettings(ctx, input)
    revalidatePath(`/${ctx.org.slug}/settings/posture`)
    return { saved: true }
  },
})
