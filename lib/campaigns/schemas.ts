import { z } from 'zod'
import { pageParams } from '@/components/data-table/search-params'
import { identityFilterSchema } from '@/lib/inventory/schemas'

export const CAMPAIGN_TYPES = ['identity', 'entitlement', 'credential'] as const
export const SECOND_STAGES = ['none', 'privileged', 'revokes', 'all'] as const
export const DEFAULT_DECISIONS = ['keep', 'revoke', 'recommendation', 'open'] as const
export const JUSTIFICATION_RULES = ['always', 'privileged_keep', 'revoke', 'never'] as const
export const RECURRENCES = ['none', 'monthly', 'quarterly', 'yearly'] as const
export const DECISIONS = ['keep', 'revoke', 'reduce', 'unsure'] as const
export type CampaignType = (typeof CAMPAIGN_TYPES)[number]
export type DecisionKind = (typeof DECISIONS)[number]

/** A decision's reason as typed; blank is none. */
export const justification = z
  .string()
  .trim()
  .max(2000)
  .optional()
  .transform((s) => s || null)
export type JustificationRule = (typeof JUSTIFICATION_RULES)[number]

export const TYPE_LABELS: Record<CampaignType, string> = {
  identity: 'Identity attestation (one item per identity)',
  entitlement: 'Entitlement review (one item per active grant)',
  credential: 'Credential review (one item per active credential)',
}
export const DECISION_LABELS: Record<DecisionKind, string> = { keep: 'Keep', revoke: 'Revoke', reduce: 'Reduce', unsure: "Don't know" }

const id = z.string().regex(/^[a-z0-9_-]{1,40}$/i, 'Unknown id')
const dateText = z
  .string()
  .trim()
  .refine((s) => !Number.isNaN(Date.parse(s)), 'Enter a valid date')
  .transform((s) => new Date(s))

/** A campaign's settings as the create form sends them (the API's create body takes the same fields and check). */
export const campaignFields = {
  name: z.string().trim().min(3, 'Give the campaign a name (at least 3 characters)').max(120),
  description: z
    .string()
    .trim()
    .max(2000)
    .optional()
    .transform((s) => s || null),
  type: z.enum(CAMPAIGN_TYPES),
  scope: identityFilterSchema,
  fallbackReviewerId: id,
  secondStage: z.enum(SECOND_STAGES).default('none'),
  signoffReviewerId: id.optional().or(z.literal('').transform(() => undefined)),
  startAt: dateText.optional().or(z.literal('').transform(() => undefined)),
  dueAt: dateText,
  reminders: z
    .array(z.coerce.number().int().min(1, 'Reminders are 1 to 90 days before due').max(90, 'Reminders are 1 to 90 days before due'))
    .max(5)
    .default([7, 3, 1]),
  defaultDecision: z.enum(DEFAULT_DECISIONS).default('open'),
  justificationRule: z.enum(JUSTIFICATION_RULES).default('revoke'),
  autoRemediate: z.boolean().default(false),
  recurrence: z.enum(RECURRENCES).default('none'),
  graceDays: z.coerce.number().int().min(0).max(60).default(0),
  launch: z.boolean().default(false),
}
/** The start must come before the due date: the form's and the API's check. */
export const startBeforeDue: [(v: { startAt?: Date; dueAt: Date }) => boolean, { path: string[]; message: string }] = [
  (v) => !v.startAt || v.startAt < v.dueAt,
  { path: ['dueAt'], message: 'The due date must be after the start date' },
]

export const campaignInputSchema = z.object({ orgSlug: z.string(), ...campaignFields }).refine(...startBeforeDue)
export type CampaignInput = z.infer<typeof campaignInputSchema>

export const scopePreviewSchema = z.object({ orgSlug: z.string(), type: z.enum(CAMPAIGN_TYPES), scope: identityFilterSchema })

export const campaignIdSchema = z.object({ orgSlug: z.string(), campaignId: id })

export const decideSchema = z.object({
  orgSlug: z.string(),
  itemId: id,
  /** the version the reviewer saw: a different current version means someone else decided first */
  version: z.number().int().min(0),
  decision: z.enum(DECISIONS),
  justification,
  reduceGrantIds: z.array(id).max(500).optional(),
})
export type DecideInput = z.infer<typeof decideSchema>

export const REVIEW_STATES = ['open', 'decided', 'unsure', 'all'] as const
export const reviewFilterSchema = z.object({
  campaign: id.optional().catch(undefined),
  state: z.enum(REVIEW_STATES).catch('open'),
  privileged: z.enum(['yes', 'no']).optional().catch(undefined),
  rec: z.enum(['keep', 'revoke', 'reduce', 'none']).optional().catch(undefined),
  q: z.string().trim().max(100).optional().catch(undefined),
})
export type ReviewFilter = z.infer<typeof reviewFilterSchema>

export const reviewListSchema = reviewFilterSchema.extend({
  view: z.enum(['identity', 'flat']).catch('identity'),
  ...pageParams(50),
})
export type ReviewListParams = z.infer<typeof reviewListSchema>

/** Bulk decisions act on explicit ids or on everything matching the filter (never more than the reviewer's own items). */
export const bulkDecideSchema = z
  .object({
    orgSlug: z.string(),
    ids: z.array(id).max(5000).optional(),
    filter: reviewFilterSchema.optional(),
    decision: z.enum(['keep', 'revoke', 'unsure', 'accept']),
    justification,
  })
  .refine((v) => (v.ids && v.ids.length > 0) || v.filter, { message: 'Select at least one item', path: ['ids'] })
export type BulkDecideInput = z.infer<typeof bulkDecideSchema>

/** The pending items a reviewer has on screen: their "time spent" clock starts when first seen. */
export const markViewedSchema = z.object({ orgSlug: z.string(), ids: z.array(id).min(1).max(500) })

export const reassignSchema = z.object({
  orgSlug: z.string(),
  ids: z.array(id).min(1, 'Select at least one item').max(5000),
  toUserId: id,
  reason: z.string().trim().min(3, 'Say why (at least 3 characters)').max(500),
})
export type ReassignInput = z.infer<typeof reassignSchema>

export const campaignItemsSchema = z.object({
  reviewer: id.optional().catch(undefined),
  decision: z.enum(['keep', 'revoke', 'reduce', 'unsure', 'none']).optional().catch(undefined),
  remediation: z.enum(['none', 'pending', 'applied', 'failed', 'manual']).optional().catch(undefined),
  ...pageParams(50),
  /** page of the Reviewers panel */
  rpage: pageParams().page,
})
export type CampaignItemsParams = z.infer<typeof campaignItemsSchema>

/** Whether the campaign's rule asks for a justification for this decision. */
export function needsJustification(rule: string, decision: string, privileged: boolean): boolean {
  if (decision === 'unsure') return false
  if (rule === 'always') return true
  if (rule === 'revoke') return decision === 'revoke' || decision === 'reduce'
  if (rule === 'privileged_keep') return privileged && (decision === 'keep' || decision === 'reduce')
  return false
}

/** The snapshot frozen at launch: what the reviewer sees, whatever changes afterwards. */
export type ReviewSnapshot = {
  identity: { id: string; name: string; kind: string; environment: string; status: string; source: string }
  owner: string | null
  /** the owner's and the reviewer's user ids at launch (evidence: separation of duties, delegation); absent on older snapshots */
  ownerId?: string | null
  reviewerId?: string
  team: string | null
  /** how the reviewer was chosen: owner, backup, team_lead, fallback */
  via: string
  privileged: boolean
  lastUsedAt: string | null
  /** set when the source does not report usage: a null lastUsedAt is unknown, not never */
  usageUnknown?: boolean
  entitlement?: { grantId: string; name: string; resource: string; resourceType: string }
  credential?: { id: string; kind: string; label: string | null; createdAt: string; lastRotatedAt: string | null; expiresAt: string | null }
  grants?: { id: string; name: string; resource: string; privileged: boolean; lastUsedAt: string | null }[]
  grantCount?: number
  /** grants suggested for removal (gateway grants unused within the dormancy window): what accepting "reduce" drops */
  suggestedReduce?: string[]
  findings: { title: string; severity: string; code: string }[]
}

export function parseSnapshot(json: string): ReviewSnapshot | null {
  try {
    return JSON.parse(json) as ReviewSnapshot
  } catch {
    return null
  }
}
