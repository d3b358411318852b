import { z } from 'zod'

const orgSlug = z.string().min(1).max(64)
const viewId = z.string().regex(/^[a-z0-9_-]{1,40}$/i, 'Unknown view')
const name = z.string().trim().min(1, 'Give the view a name.').max(80, 'At most 80 characters.')
/** The inventory's query string as the browser has it; the server keeps only its canonical, valid part. */
const params = z.string().max(4000, 'This view has too many filters to save.')

export const MAX_VIEWS_PER_PERSON = 100

export const createSavedViewSchema = z.object({ orgSlug, name, params, shared: z.boolean().default(false) })
export type CreateSavedViewInput = z.infer<typeof createSavedViewSchema>

export const updateSavedViewSchema = z
  .object({ orgSlug, viewId, name: name.optional(), shared: z.boolean().optional(), params: params.optional() })
  .refine((v) => v.name !== undefined || v.shared !== undefined || v.params !== undefined, { message: 'Nothing to change.', path: ['name'] })
export type UpdateSavedViewInput = z.infer<typeof updateSavedViewSchema>

export const deleteSavedViewSchema = z.object({ orgSlug, viewId })
