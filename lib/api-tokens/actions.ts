'use server'
import { orgAction } from '@/lib/action'
import { createApiToken, revokeApiToken, rotateApiToken } from '@/lib/api-tokens/mutations'
import { createIdentityToken, revokeIdentityToken, rotateIdentityToken } from '@/lib/api-tokens/identity-tokens'
import {
  createApiTokenSchema,
  createIdentityTokenSchema,
  revokeApiTokenSchema,
  revokeIdentityTokenSchema,
  rotateApiTokenSchema,
  rotateIdentityTokenSchema,
} from '@/lib/api-tokens/schemas'

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

// An identity's own tokens: any member reaches the action; the domain lets only the identity's owner, backup owner or an admin through.
export const createIdentityTokenAction = orgAction({
  schema: createIdentityTokenSchema,
  permission: 'identity:read',
  revalidate: (input) => `/identities/${input.identityId}`,
  run: async ({ ctx, input: { orgSlug: _slug, ...token } }) => createIdentityToken(ctx, token),
})

export const revokeIdentityTokenAction = orgAction({
  schema: revokeIdentityTokenSchema,
  permission: 'identity:read',
  revalidate: (input) => `/identities/${input.identityId}`,
  run: async ({ ctx, input }) => revokeIdentityToken(ctx, input),
})

export const rotateIdentityTokenAction = orgAction({
  schema: rotateIdentityTokenSchema,
  permission: 'identity:read',
  run: async ({ ctx, input }) => rotateIdentityToken(ctx, input),
})
