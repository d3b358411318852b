'use server'
import { revalidatePath } from 'next/cache'
import { orgAction } from '@/lib/action'
import { createSavedView, deleteSavedView, updateSavedView } from '@/lib/saved-views/mutations'
import { createSavedViewSchema, deleteSavedViewSchema, updateSavedViewSchema } from '@/lib/saved-views/schemas'

const refresh = (slug: string) => revalidatePath(`/${slug}/identities`)

// Any member may keep personal views; the domain layer checks sharing (campaign:manage) and deleting others' shared views (admins).
export const createSavedViewAction = orgAction({
  schema: createSavedViewSchema,
  permission: 'identity:read',
  run: async ({ ctx, input }) => {
    const view = await createSavedView(ctx, input)
    refresh(ctx.org.slug)
    return view
  },
})

export const updateSavedViewAction = orgAction({
  schema: updateSavedViewSchema,
  permission: 'identity:read',
  run: async ({ ctx, input }) => {
    const view = await updateSavedView(ctx, input)
    refresh(ctx.org.slug)
    return view
  },
})

export const deleteSavedViewAction = orgAction({
  schema: deleteSavedViewSchema,
  permission: 'identity:read',
  run: async ({ ctx, input }) => {
    const r = await deleteSavedView(ctx, input.viewId)
    refresh(ctx.org.slug)
    return r
  },
})
