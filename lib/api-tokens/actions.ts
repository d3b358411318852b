'use server'
import { orgAction } from '@/lib/action'
import { createApiToken, revokeApiToken, rotateApiToken } from '@/lib/api-tokens/mutations'
import { createApiTokenSchema, revokeApiTokenSchema, rotateApiTokenSchema } from '@/lib/api-tokens/schemas'

// Actions are declared one way, orgAction({ schema, permission, revalidate, run }): every domain's actions file reads alike by design.
export const createApiTokenAction = orgAction({
  schema: createApiTokenSchema,
  permission: 'api-token:manage',
  revalidate: '/settings/api-tokens',
  run: async ({ ctx, input }) => createApiToken(ctx, input),
})

export const revokeApiTokenAction = orgAction({
  schema: revokeApiTokenSchema,
  permission: 'api-token:manage',
  revalidate: '/settings/api-tokens',
  run: async ({ ctx, input }) => revokeApiToken(ctx, input),
})

// No revalidation: the new secret's dialog lives in the token's row, which a re-render would remount (the page refreshes when it closes).
export const rotateApiTokenAction = orgAction({
  schema: rotateApiTokenSchema,
  permission: 'api-token:manage',
  run: async ({ ctx, input }) => rotateApiToken(ctx, input),
})
