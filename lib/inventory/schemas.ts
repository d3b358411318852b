import { z } from 'zod'
import { pageParams } from '@/components/data-table/search-params'

export const IDENTITY_KINDS = ['service_account', 'api_key', 'oauth_app', 'bot', 'ci_cd', 'workload', 'ai_agent', 'certificate', 'other'] as const
export const ENVIRONMENTS = ['production', 'staging', 'development', 'test', 'unknown'] as const
export const IDENTITY_STATUSES = ['active', 'disabled', 'quarantined', 'deleted'] as const
export const SORTABLE = ['name', 'kind', 'environment', 'status', 'lastUsedAt', 'createdAt', 'riskScore', 'grantCount', 'oldestSecretAt'] as const
export const CRED_AGES = ['90', '180', '365', '730'] as const
// The words for the identity filter's values: one set for the inventory's facets and a campaign's scope (the same filter).
export const PRIVILEGED_LABELS = { yes: 'Privileged', no: 'Not privileged' } as const
export const CRED_AGE_LABELS: Record<(typeof CRED_AGES)[number], string> = {
  '90': 'Older than 90 days',
  '180': 'Older than 180 days',
  '365': 'Older than 1 year',
  '730': 'Older than 2 years',
}
export const RISK_LABELS = { high: 'High (70+)', medium: 'Medium (40–69)', low: 'Low (<40)' } as const
export const usageLabels = (dormantDays?: number) => ({ yes: dormantDays ? `Dormant (${dormantDays}+ days)` : 'Dormant', no: 'Recently used' })

export const KIND_LABELS: Record<(typeof IDENTITY_KINDS)[number], string> = {
  service_account: 'Service account',
  api_key: 'API key',
  oauth_app: 'OAuth app',
  bot: 'Bot',
  ci_cd: 'CI/CD',
  workload: 'Workload',
  ai_agent: 'AI agent',
  certificate: 'Certificate',
  other: 'Other',
}

/** Comma-separated list of allowed values; unknown values are dropped rather than failing the page. */
function csvOf<T extends string>(allowed: readonly T[]) {
  return z
    .union([z.string(), z.array(z.string())])
    .optional()
    .transform((v) => {
      const parts = (Array.isArray(v) ? v.join(',') : (v ?? '')).split(',').map((s) => s.trim())
      return [...new Set(parts.filter((s): s is T => (allowed as readonly string[]).includes(s)))]
    })
    .catch([])
}

const idList = z
  .union([z.string(), z.array(z.string())])
  .optional()
  .transform((v) =>
    [
      ...new Set(
        (Array.isArray(v) ? v.join(',') : (v ?? ''))
          .split(',')
          .map((s) => s.trim())
          .filter((s) => /^[a-z0-9_-]{1,40}$/i.test(s)),
      ),
    ].slice(0, 50),
  )
  .catch([])

/** The inventory's filter model: also the scope model of campaigns and bulk actions. */
export const identityFilterSchema = z.object({
  q: z.string().trim().max(100).optional().catch(undefined),
  kind: csvOf(IDENTITY_KINDS),
  env: csvOf(ENVIRONMENTS),
  status: csvOf(IDENTITY_STATUSES),
  source: idList,
  owner: z
    .union([z.literal('unowned'), z.literal('me'), z.string().regex(/^[a-z0-9_-]{1,40}$/i)])
    .optional()
    .catch(undefined),
  team: z
    .string()
    .regex(/^[a-z0-9_-]{1,40}$/i)
    .optional()
    .catch(undefined),
  privileged: z.enum(['yes', 'no']).optional().catch(undefined),
  dormant: z.enum(['yes', 'no']).optional().catch(undefined),
  credAge: z.enum(CRED_AGES).optional().catch(undefined),
  risk: z.enum(['high', 'medium', 'low']).optional().catch(undefined),
  /** identities with an open finding: an OWASP NHI code (NHI5) or a rule id (old-secret) */
  finding: z
    .string()
    .regex(/^(NHI(10|[1-9])|[a-z][a-z-]{2,30})$/)
    .optional()
    .catch(undefined),
})
export type IdentityFilter = z.infer<typeof identityFilterSchema>

export const identityListSchema = identityFilterSchema.extend({
  sort: z.enum(SORTABLE).catch('riskScore'),
  dir: z.enum(['asc', 'desc']).catch('desc'),
  ...pageParams(50),
})
export type IdentityListParams = z.infer<typeof identityListSchema>

/** Serialises a filter back to URL params (for links from the dashboard, campaigns and saved views). */
export function filterToSearchParams(f: Partial<IdentityFilter>): URLSearchParams {
  const sp = new URLSearchParams()
  for (const [k, v] of Object.entries(f)) {
    if (v === undefined || v === null) continue
    if (Array.isArray(v)) {
      if (v.length) sp.set(k, v.join(','))
    } else if (v !== '') sp.set(k, String(v))
  }
  return sp
}

const identityName = z.string().trim().min(1, 'Give the identity a name.').max(200, 'At most 200 characters.')
const personId = z.string().regex(/^[A-Za-z0-9_-]{1,40}$/, 'Unknown person.')
const identityTags = z
  .array(
    z.strictObject({
      key: z
        .string()
        .trim()
        .regex(/^[A-Za-z0-9_.:/-]{1,64}$/, 'Tag keys are 1–64 letters, digits or _ . : / -'),
      value: z.string().trim().max(200, 'At most 200 characters.'),
    }),
  )
  .max(50, 'At most 50 tags.')
  .refine((tags) => new Set(tags.map((t) => t.key)).size === tags.length, 'Each tag key once.')

/** An identity entered by hand or through the API (not discovered by a source). */
export const createIdentitySchema = z.strictObject({
  name: identityName,
  kind: z.enum(IDENTITY_KINDS),
  environment: z.enum(ENVIRONMENTS).default('unknown'),
  externalId: z
    .string()
    .trim()
    .min(1)
    .max(200)
    .optional()
    .meta({ description: 'Its id where it lives (an ARN, a client id…); unique among manual entries. Generated when omitted.' }),
  description: z.string().trim().max(2000, 'At most 2000 characters.').nullable().optional(),
  ownerId: personId.nullable().optional().meta({ description: 'A member of the organization.' }),
  backupOwnerId: personId.nullable().optional().meta({ description: 'A member of the organization.' }),
  tags: identityTags.optional(),
})
export type CreateIdentityInput = z.infer<typeof createIdentitySchema>

/** The editable fields: those given change, `null` clears; tags, when given, replace the identity's tags. */
export const updateIdentitySchema = z.strictObject({
  name: identityName.optional(),
  kind: z.enum(IDENTITY_KINDS).optional(),
  environment: z.enum(ENVIRONMENTS).optional(),
  description: z.string().trim().max(2000, 'At most 2000 characters.').nullable().optional(),
  ownerId: personId.nullable().optional(),
  backupOwnerId: personId.nullable().optional(),
  tags: identityTags.optional(),
})
export type UpdateIdentityInput = z.infer<typeof updateIdentitySchema>

/** The externalId prefix of a credential that mirrors one of Custodian's own tokens (lib/api-tokens/inventory.ts). */
export const CUSTODIAN_TOKEN_EXTERNAL_PREFIX = 'api-token:'

/**
 * Credentials Custodian issues itself: `federated` (a trust rule: no secret exists) and `ephemeral` (a leased database
 * role that ends on its own). A source's sync never sweeps them, and rules about stored secrets (rotation, no expiry)
 * and the oldest-secret figure leave them out.
 */
export const CUSTODIAN_CREDENTIAL_KINDS = ['federated', 'ephemeral']
/** SQL list of the same, for raw statements. */
export const CUSTODIAN_CREDENTIAL_KINDS_SQL = `(${CUSTODIAN_CREDENTIAL_KINDS.map((k) => `'${k}'`).join(',')})`
