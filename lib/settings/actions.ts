'use server'
import { orgAction } from '@/lib/action'
import { updateLeakResponseSetting } from '@/lib/settings/mutations'
import { leakResponseSettingSchema } from '@/lib/settings/schemas'

// Admins only (settings:manage): the choice lets secret scanning reports rotate or revoke credentials at their sources.
export const updateLeakResponseSettingAction = orgAction({
  schema: leakResponseSettingSchema,
  permission: 'settings:manage',
  revalidate: '/settings',
  run: ({ ctx, input }) => updateLeakResponseSetting(ctx, { leakResponse: input.leakResponse }),
})
