'use server'
import { revalidatePath } from 'next/cache'
import { orgAction } from '@/lib/action'
import { deactivateMember, removeMember } from '@/lib/members/mutations'
import { memberActionSchema } from '@/lib/members/schemas'

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
