'use server'
import { orgAction } from '@/lib/action'
import { createSavedView, deleteSavedView, updateSavedView } from '@/lib/saved-views/mutations'
import { createSavedViewSchema, deleteSavedViewSchema, updateSavedViewSchema } from '@/lib/saved-views/schemas'

// Any member may keep personal views; the domain layer checks sharing (campaign:manage) and deleting others' shared
// views (admins). No revalidatePath: the menu refreshes the page itself once the change is saved.
export const createSavedViewAction = orgAction({
  schema: createSavedViewSchema,
  permission: 'identity:read',
  run: ({ ctx, input }) => createSavedView(ctx, input),
})

export const updateSavedViewAction = orgAction({
  schema: updateSavedViewSchema,
  permission: 'identity:read',
  run: ({ ctx, input }) => updateSavedView(ctx, input),
})

export const deleteSavedViewAction = orgAction({
  schema: deleteSavedViewSchema,
  permission: 'identity:read',
  run: ({ ctx, input }) => deleteSavedView(ctx, input.viewId),
})
