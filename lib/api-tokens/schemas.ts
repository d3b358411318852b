import { z } from 'zod'
import { stringsOf } from '@/lib/json'
import type { Permission } from '@/lib/auth/permissions'

export const API_AREAS = [
  'identities',
  'owners',
  'credentials',
  'grants',
  'campaigns',
  'decisions',
  'remediation',
  'findings',
  'audit',
  'reports',
  'sources',
  'federation',
  'gateway',
  'webhooks',
  'leases',
  'policies',
] as const
export type ApiArea = (typeof API_AREAS)[number]
export const API_SCOPES = API_AREAS.flatMap((a) => [`${a}:read`, `${a}:write`] as const) as [
  `${ApiArea}:${'read' | 'write'}`,
  ...`${ApiArea}:${'read' | 'write'}`[],
]
export type ApiScope = (typeof API_SCOPES)[number]

/** What each scope lets a token do in the domain layer: the permissions of its context (a token never has a role). */
export const SCOPE_PERMISSIONS: Record<ApiScope, readonly Permission[]> = {
  'identities:read': ['identity:read', 'identity:read-all'],
  // Adding, changing and deleting inventory entries is managing the inventory's sources; it reads back what it wrote.
  'identities:write': ['identity:read', 'source:manage'],
  'owners:read': ['identity:read'],
  'owners:write': ['identity:assign-owner', 'identity:transfer'],
  'credentials:read': ['identity:read'],
  'credentials:write': ['identity:remediate'],
  'grants:read': ['identity:read'],
  'grants:write': ['identity:remediate'],
  'campaigns:read': ['campaign:read'],
  'campaigns:write': ['campaign:manage'],
  'decisions:read': ['campaign:read'],
  'decisions:write': ['review:decide'],
  'remediation:read': ['job:read'],
  'remediation:write': ['identity:remediate', 'job:manage'],
  'findings:read': ['identity:read'],
  'findings:write': ['finding:accept'],
  'audit:read': ['audit:read', 'audit:verify'],
  'audit:write': [],
  'reports:read': ['report:export'],
  'reports:write': ['report:export'],
  'sources:read': ['source:read'],
  'sources:write': ['source:manage', 'lease:manage'],
  // Trust providers and rules decide which workloads become which identities: managing them is managing the inventory's sources.
  'federation:read': ['source:read'],
  'federation:write': ['source:read', 'source:manage'],
  'gateway:read': ['source:read'],
  // Managing routes and rules; it reads back what it wrote. Gateway tokens (gateway:call) are issued by people, not by tokens.
  'gateway:write': ['source:read', 'gateway:manage'],
  // Webhook subscriptions are admin-only: no role but admin holds these permissions.
  'webhooks:read': ['webhook:read'],
  'webhooks:write': ['webhook:read', 'webhook:manage'],
  // leases:write asks for, renews and revokes ephemeral credentials (a workload: for itself only). Templates are a
  // source's configuration: sources:write manages them.
  'leases:read': ['lease:read'],
  'leases:write': ['lease:read', 'lease:request'],
  // Organization policies restrict token exchange (and next the gateway and the API): changing them is managing sources, like federation.
  'policies:read': ['source:read'],
  'policies:write': ['source:read', 'source:manage'],
}

export const MAX_TOKEN_DAYS = 365
export const MAX_OVERLAP_HOURS = 168
const orgSlug = z.string().min(1).max(64)
const tokenId = z.string().regex(/^[a-z0-9_-]{1,40}$/i, 'Unknown token.')

const IPV4 = /^(25[0-5]|2[0-4]\d|1?\d?\d)(\.(25[0-5]|2[0-4]\d|1?\d?\d)){3}(\/(3[0-2]|[12]?\d))?$/
const IPV6 = /^[0-9a-f:]*:[0-9a-f:.]*(\/(12[0-8]|1[01]\d|[1-9]?\d))?$/i

/** CIDRs (or single addresses), one per line or separated by commas; at most 20. */
export const cidrListSchema = z
  .string()
  .max(2000)
  .transform((s) =>
    s
      .split(/[\s,]+/)
      .map((x) => x.trim())
      .filter(Boolean),
  )
  .refine((list) => list.length <= 20, 'At most 20 addresses or ranges.')
  .refine((list) => list.every((x) => IPV4.test(x) || IPV6.test(x)), 'Write addresses or ranges like 203.0.113.0/24 or 2001:db8::/32.')

export const createApiTokenSchema = z.object({
  orgSlug,
  name: z.string().trim().min(1, 'Give the token a name.').max(80, 'At most 80 characters.'),
  scopes: z
    .array(z.enum(API_SCOPES))
    .min(1, 'Choose at least one scope.')
    .transform((s) => [...new Set(s)].sort()),
  expiresInDays: z.coerce.number().int().min(1, 'At least 1 day.').max(MAX_TOKEN_DAYS, 'At most a year (365 days).'),
  allowedIps: cidrListSchema.default([]),
})
export type CreateApiTokenInput = z.infer<typeof createApiTokenSchema>

export const revokeApiTokenSchema = z.object({ orgSlug, tokenId })
export const rotateApiTokenSchema = z.object({
  orgSlug,
  tokenId,
  overlapHours: z.coerce.number().int().min(0, 'At least 0 hours.').max(MAX_OVERLAP_HOURS, 'At most a week (168 hours).'),
})

/** Scopes from the stored JSON text; unknown entries are dropped. */
export function scopesOf(json: string): ApiScope[] {
  return stringsOf(json).filter((x): x is ApiScope => (API_SCOPES as readonly string[]).includes(x))
}

export type TokenStatus = 'active' | 'expired' | 'revoked'
export function tokenStatus(t: { revokedAt: Date | null; expiresAt: Date }, now = new Date()): TokenStatus {
  if (t.revokedAt) return 'revoked'
  return t.expiresAt <= now ? 'expired' : 'active'
}

/**
 * What a token limited to one identity (an owner's token) may hold: reading that identity and its credentials. No
 * write scope: such a token is made by the identity's owner, and must not do more than its owner may (an owner's
 * changes go through requests, lib/requests).
 */
export const IDENTITY_TOKEN_SCOPES = ['identities:read', 'credentials:read'] as const satisfies readonly ApiScope[]
export type IdentityTokenScope = (typeof IDENTITY_TOKEN_SCOPES)[number]

export const createIdentityTokenSchema = z.object({
  orgSlug,
  identityId: z.string().regex(/^[a-z0-9_-]{1,40}$/i, 'Unknown identity.'),
  name: z.string().trim().min(1, 'Give the token a name.').max(80, 'At most 80 characters.'),
  scopes: z
    .array(z.enum(IDENTITY_TOKEN_SCOPES))
    .min(1, 'Choose at least one scope.')
    .transform((s) => [...new Set(s)].sort()),
  expiresInDays: z.coerce.number().int().min(1, 'At least 1 day.').max(MAX_TOKEN_DAYS, 'At most a year (365 days).'),
  allowedIps: cidrListSchema.default([]),
})
export type CreateIdentityTokenInput = z.infer<typeof createIdentityTokenSchema>
export const revokeIdentityTokenSchema = revokeApiTokenSchema.extend({ identityId: createIdentityTokenSchema.shape.identityId })
export const rotateIdentityTokenSchema = rotateApiTokenSchema.extend({ identityId: createIdentityTokenSchema.shape.identityId })
