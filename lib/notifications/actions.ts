'use server'
import { orgAction } from '@/lib/action'
import { markNotificationsRead } from '@/lib/notifications/mutations'
import { markReadSchema } from '@/lib/notifications/schemas'

// The unread count shows in every page's header: the whole organization re-renders.
export const markNotificationsReadAction = orgAction({
  schema: markReadSchema,
  permission: 'identity:read',
  revalidate: '',
  run: ({ ctx, input }) => markNotificationsRead(ctx, input.ids),
})
