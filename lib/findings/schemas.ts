import { z } from 'zod'
import { pageParams } from '@/components/data-table/search-params'
import { ALL_RULE_IDS, OWASP_CODES, SEVERITIES } from '@/lib/findings/rules'
import { ENVIRONMENTS } from '@/lib/inventory/schemas'

const DAY = 86_400_000
export const FINDING_STATUSES = ['open', 'accepted', 'resolved'] as const
export const MAX_ACCEPT_DAYS = 365

const orgSlug = z.string().min(1).max(64)

/** What an acceptance says: until when (a day, at most a year ahead) and why. */
export const acceptanceFields = {
  until: z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'Pick the date the acceptance ends'),
  reason: z.string().trim().min(10, 'Say why the risk is acceptable (at least 10 characters)').max(1000, 'At most 1,000 characters'),
}

export function checkAcceptUntil(v: { until: string }, ctx: z.RefinementCtx) {
  const until = Date.parse(`${v.until}T23:59:59.999Z`)
  if (Number.isNaN(until)) ctx.addIssue({ code: 'custom', path: ['until'], message: 'Not a valid date' })
  else if (until <= Date.now()) ctx.addIssue({ code: 'custom', path: ['until'], message: 'The acceptance must end in the future' })
  else if (until > Date.now() + MAX_ACCEPT_DAYS * DAY)
    ctx.addIssue({ code: 'custom', path: ['until'], message: `At most ${MAX_ACCEPT_DAYS} days ahead; accept again when it expires` })
}

export const acceptFindingSchema = z
  .object({ orgSlug, findingId: z.string().regex(/^[a-z0-9_-]{1,64}$/i, 'Unknown finding'), ...acceptanceFields })
  .superRefine(checkAcceptUntil)
export type AcceptFindingInput = z.infer<typeof acceptFindingSchema>

export const recomputeFindingsSchema = z.object({ orgSlug })

const days = (min: number, max: number, what: string) =>
  z.coerce
    .number({ error: `${what} must be a number of days` })
    .int(`${what} must be a whole number of days`)
    .min(min, `${what}: at least ${min} day${min === 1 ? '' : 's'}`)
    .max(max, `${what}: at most ${max} days`)

/** The posture thresholds an admin edits (same bounds as lib/settings/schemas.ts). */
export const postureSettingsSchema = z.object({
  orgSlug,
  dormantDays: days(7, 730, 'Dormant after'),
  rotationMaxDays: days(1, 1825, 'Rotation limit'),
  privilegedUnusedDays: days(7, 730, 'Unused privilege after'),
  humanUseWindowDays: days(1, 365, 'Human-use window'),
})
export type PostureSettingsInput = z.infer<typeof postureSettingsSchema>

const ref = z.string().regex(/^[a-z0-9_-]{1,40}$/i)
export const FINDING_SORTS = ['severity', 'firstSeenAt'] as const

/** The Findings page's list state (forgiving: a bad value falls back to its default). */
export const findingListSchema = z.object({
  code: z.enum(OWASP_CODES).optional().catch(undefined),
  rule: z
    .enum(ALL_RULE_IDS as [string, ...string[]])
    .optional()
    .catch(undefined),
  status: z.enum(FINDING_STATUSES).catch('open'),
  severity: z.enum(SEVERITIES).optional().catch(undefined),
  /** a member's id, or "unowned" */
  owner: z
    .union([z.literal('unowned'), ref])
    .optional()
    .catch(undefined),
  env: z.enum(ENVIRONMENTS).optional().catch(undefined),
  source: ref.optional().catch(undefined),
  /** one identity (from its page), or a name search */
  identity: ref.optional().catch(undefined),
  q: z
    .string()
    .trim()
    .max(100)
    .optional()
    .catch(undefined)
    .transform((v) => v || undefined),
  /** severity ascending: most severe first, then the identity's risk score (highest first), across all pages */
  sort: z.enum(FINDING_SORTS).catch('severity'),
  dir: z.enum(['asc', 'desc']).optional().catch(undefined),
  ...pageParams(50),
})
export type FindingListParams = z.infer<typeof findingListSchema>

export const revokeAcceptanceSchema = z.object({
  orgSlug,
  findingId: z.string().regex(/^[a-z0-9_-]{1,64}$/i, 'Unknown finding'),
  reason: z.string().trim().min(5, 'Say why the acceptance ends (at least 5 characters)').max(1000),
})
export type RevokeAcceptanceInput = z.infer<typeof revokeAcceptanceSchema>
