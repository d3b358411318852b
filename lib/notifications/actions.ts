'use server'
import { revalidatePath } from 'next/cache'
import { orgAction } from '@/lib/action'
import { markNotificationsRead } from '@/lib/notifications/mutations'
import { markReadSchema } from '@/lib/notifications/schemas'

export const markNotificationsReadAction = orgAction({
  schema: markReadSchema,
  permission: 'identity:read',
  run: async ({ ctx, input }) => {
    const result = await markNotificationsRead(ctx, input.ids)
    revalidatePath(`/${ctx.org.slug}`, 'layout')
    return result
  },
})
