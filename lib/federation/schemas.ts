import { z } from 'zod'
import { API_SCOPES } from '@/lib/api-tokens/schemas'

// Workload identity federation: trust providers (OIDC issuers), trust rules (claims -> one identity) and the RFC 8693
// token exchange. zod only, no server imports: shared by actions, the REST API and forms.

export const PRESETS = ['github', 'kubernetes', 'generic'] as const
export type Preset = (typeof PRESETS)[number]
export const PRESET_LABELS: Record<string, string> = { github: 'GitHub Actions', kubernetes: 'Kubernetes', generic: 'OIDC' }
export const STATUSES = ['active', 'disabled'] as const

export const GITHUB_ISSUER = 'https://token.actions.githubusercontent.com'
/** The audience of the Custodian API itself; `gateway:<routeId>` names one gateway route. */
export const API_AUDIENCE = 'custodian-api'
export const GATEWAY_SCOPE = 'gateway:call'
export const FEDERATION_SCOPES = [...API_SCOPES, GATEWAY_SCOPE] as const
export type FederationScope = (typeof FEDERATION_SCOPES)[number]

export const DEFAULT_TTL_SECONDS = 900
export const MAX_TTL_SECONDS = 3600
export const MAX_TASK_CHARS = 200
export const MAX_CONDITION_CHARS = 4000

const orgSlug = z.string().min(1).max(64)
const id = z.string().regex(/^[a-z0-9_-]{1,40}$/i, 'Unknown id.')

const httpUrl = z
  .string()
  .trim()
  .url('Write a URL such as https://token.actions.githubusercontent.com.')
  .max(500)
  .refine((u) => /^https?:\/\//.test(u), 'The URL must start with https:// (or http:// for a local issuer).')

export const audienceListSchema = z
  .array(z.string().trim().min(1).max(300))
  .min(1, 'Give at least one audience the subject tokens must carry.')
  .max(10, 'At most 10 audiences.')
  .transform((a) => [...new Set(a)])

export const providerFields = {
  name: z.string().trim().min(1, 'Give the provider a name.').max(80, 'At most 80 characters.'),
  // Issuers are compared byte for byte with a token's `iss`: a trailing slash is part of it, so it is kept as written.
  issuer: httpUrl,
  audiences: audienceListSchema,
  jwksUri: httpUrl.nullish().transform((v) => v || null),
  preset: z.enum(PRESETS).default('generic'),
  status: z.enum(STATUSES).default('active'),
}
export const createProviderSchema = z.object({ orgSlug, ...providerFields })
export type CreateProviderInput = z.infer<typeof createProviderSchema>
export const updateProviderSchema = z.object({
  orgSlug,
  providerId: id,
  ...Object.fromEntries(Object.entries(providerFields).map(([k, v]) => [k, v.optional()])),
}) as unknown as z.ZodType<{ orgSlug: string; providerId: string } & Partial<Omit<CreateProviderInput, 'orgSlug'>>>
export type UpdateProviderInput = z.infer<typeof updateProviderSchema>
export const deleteProviderSchema = z.object({ orgSlug, providerId: id })

export const AUDIENCE_PATTERN = /^(custodian-api|gateway:[a-z0-9_-]{1,40})$/i

export const ruleFields = {
  name: z.string().trim().min(1, 'Give the rule a name.').max(80, 'At most 80 characters.'),
  identityId: id,
  condition: z.string().trim().min(1, 'Write a condition over context.claims.').max(MAX_CONDITION_CHARS, `At most ${MAX_CONDITION_CHARS} characters.`),
  scopes: z
    .array(z.enum(FEDERATION_SCOPES))
    .min(1, 'Choose at least one scope.')
    .transform((s) => [...new Set(s)].sort()),
  audiences: z
    .array(z.string().regex(AUDIENCE_PATTERN, 'An audience is custodian-api or gateway:<route id>.'))
    .min(1, 'Choose at least one audience.')
    .transform((a) => [...new Set(a)].sort()),
  maxTtlSeconds: z.coerce.number().int().min(60, 'At least 60 seconds.').max(MAX_TTL_SECONDS, 'At most an hour (3600 seconds).').default(DEFAULT_TTL_SECONDS),
  status: z.enum(STATUSES).default('active'),
}
export const createRuleSchema = z.object({ orgSlug, providerId: id, ...ruleFields })
export type CreateRuleInput = z.infer<typeof createRuleSchema>
export const updateRuleSchema = z.object({
  orgSlug,
  ruleId: id,
  ...Object.fromEntries(Object.entries(ruleFields).map(([k, v]) => [k, v.optional()])),
}) as unknown as z.ZodType<{ orgSlug: string; ruleId: string } & Partial<Omit<CreateRuleInput, 'orgSlug' | 'providerId'>>>
export type UpdateRuleInput = z.infer<typeof updateRuleSchema>
export const deleteRuleSchema = z.object({ orgSlug, ruleId: id })

/** A token to test: a JWT, or the claims as a JSON object; the provider is found from the token's issuer unless named. */
export const testTokenSchema = z
  .object({
    orgSlug,
    providerId: id.optional(),
    token: z.string().trim().max(20_000).optional(),
    claims: z.record(z.string(), z.unknown()).optional(),
  })
  .refine((v) => !!v.token !== !!v.claims, { message: 'Give either a token or its claims.', path: ['token'] })
export type TestTokenInput = z.infer<typeof testTokenSchema>

/** GitHub Actions: immutable ids first (a repository or owner name can be re-registered by someone else), then branch/environment. */
export const githubRuleSchema = z.object({
  repositoryId: z.string().regex(/^\d{1,20}$/, 'The repository id is a number (GitHub API: GET /repos/{owner}/{repo} → id).'),
  repositoryOwnerId: z
    .string()
    .regex(/^\d{1,20}$/, 'The owner id is a number.')
    .optional(),
  ref: z.string().trim().max(255).optional(),
  environment: z.string().trim().max(255).optional(),
})
export const kubernetesRuleSchema = z.object({
  namespace: z
    .string()
    .regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/, 'A Kubernetes namespace name.')
    .max(63),
  serviceAccount: z
    .string()
    .regex(/^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/, 'A service account name.')
    .max(253),
})

/** A Cedar string literal: quotes, backslashes and control characters escaped the way Cedar reads them. */
export function cedarString(s: string): string {
  return `"${s.replace(/[\\"\u0000-\u001f\u007f]/g, (c) => (c === '\\' ? '\\\\' : c === '"' ? '\\"' : `\\u{${c.charCodeAt(0).toString(16)}}`))}"`
}

export function githubCondition(f: z.infer<typeof githubRuleSchema>): string {
  const parts = [`context.claims.repository_id == ${cedarString(f.repositoryId)}`]
  if (f.repositoryOwnerId) parts.push(`context.claims.repository_owner_id == ${cedarString(f.repositoryOwnerId)}`)
  if (f.ref) parts.push(`context.claims.ref == ${cedarString(f.ref)}`)
  if (f.environment) parts.push(`context.claims has environment && context.claims.environment == ${cedarString(f.environment)}`)
  return parts.join(' && ')
}

export function kubernetesCondition(f: z.infer<typeof kubernetesRuleSchema>): string {
  return [
    `context.claims.sub == ${cedarString(`system:serviceaccount:${f.namespace}:${f.serviceAccount}`)}`,
    `context.claims["kubernetes.io"].namespace == ${cedarString(f.namespace)}`,
    `context.claims["kubernetes.io"].serviceaccount.name == ${cedarString(f.serviceAccount)}`,
  ].join(' && ')
}

/** The audience a provider should ask its tokens for: this organization's URL at Custodian. */
export function recommendedAudience(appUrl: string, slug: string): string {
  return `${appUrl.replace(/\/$/, '')}/${slug}`
}

/**
 * The condition of a new rule, given as exactly one of: Cedar text, GitHub Actions fields or Kubernetes fields (the
 * REST API and the form both take these); null when none or more than one is given.
 */
export function conditionOf(v: {
  condition?: string
  github?: z.infer<typeof githubRuleSchema>
  kubernetes?: z.infer<typeof kubernetesRuleSchema>
}): string | null {
  const given = [v.condition, v.github, v.kubernetes].filter((x) => x !== undefined)
  if (given.length !== 1) return null
  return v.condition ?? (v.github ? githubCondition(v.github) : kubernetesCondition(v.kubernetes!))
}

export const RULE_MODES = ['github', 'kubernetes', 'cedar'] as const
export type RuleMode = (typeof RULE_MODES)[number]

/**
 * The rule form: the builder's fields flat (so each error lands on its own field), read by `mode`. The builders' own
 * schemas check the fields the chosen mode uses; the others are ignored.
 */
export const ruleFormSchema = z.object({
  orgSlug,
  providerId: id,
  mode: z.enum(RULE_MODES),
  ...ruleFields,
  condition: z.string().max(MAX_CONDITION_CHARS).optional(),
  repositoryId: z.string().optional(),
  repositoryOwnerId: z.string().optional(),
  ref: z.string().optional(),
  environment: z.string().optional(),
  namespace: z.string().optional(),
  serviceAccount: z.string().optional(),
})
export type RuleFormInput = z.infer<typeof ruleFormSchema>

export const ruleStatusSchema = z.object({ orgSlug, ruleId: id, status: z.enum(STATUSES) })
export const providerStatusSchema = z.object({ orgSlug, providerId: id, status: z.enum(STATUSES) })
