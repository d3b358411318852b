import 'server-only'
import { z } from 'zod'
import { offsetPaged } from '@/lib/api/cursor'
import { defineOperation } from '@/lib/api/operation'
import { tokenPerson } from '@/lib/api/person'
import { cursor, dateTime, defineListOperation, id, iso, limit, person } from '@/lib/api/v1/common'
import { accepted, operationSchema, startedOperation } from '@/lib/api/v1/jobs'
import { identityFilter } from '@/lib/api/v1/owners'
import type { Ctx } from '@/lib/auth/org-context'
import { decideItemsAs, MAX_DECISIONS_PER_CALL } from '@/lib/campaigns/decide'
import { createCampaign, launchCampaign, requestClose } from '@/lib/campaigns/mutations'
import { getCampaignOrThrow } from '@/lib/campaigns/internal'
import { getCampaign, listCampaignItems, listCampaigns } from '@/lib/campaigns/queries'
import { CAMPAIGN_TYPES, campaignFields, DECISIONS, justification, parseSnapshot, startBeforeDue } from '@/lib/campaigns/schemas'
import { identityFilterSchema } from '@/lib/inventory/schemas'

const CAMPAIGN_STATUSES = ['draft', 'scheduled', 'launching', 'active', 'closing', 'closed', 'canceled'] as const
const REMEDIATION_STATES = ['none', 'pending', 'applied', 'failed', 'manual'] as const

export const campaignListQuery = z.strictObject({ status: z.enum(CAMPAIGN_STATUSES).optional(), limit, cursor })

export const campaignSchema = z
  .object({
    id: z.string(),
    name: z.string(),
    type: z.enum(CAMPAIGN_TYPES),
    status: z.enum(CAMPAIGN_STATUSES),
    itemCount: z.number().int(),
    decidedCount: z.number().int(),
    currentStage: z.number().int(),
    recurrence: z.string(),
    dueAt: dateTime.nullable(),
    launchedAt: dateTime.nullable(),
    closedAt: dateTime.nullable(),
  })
  .meta({ id: 'Campaign' })

type CampaignRow = Awaited<ReturnType<typeof listCampaigns>>['rows'][number]
/** The campaign as the list shows it (any row with the list's fields: a created or launched one too). */
function campaignDto(r: CampaignRow): z.infer<typeof campaignSchema> {
  return {
    id: r.id,
    name: r.name,
    type: r.type as z.infer<typeof campaignSchema>['type'],
    status: r.status as z.infer<typeof campaignSchema>['status'],
    itemCount: r.itemCount,
    decidedCount: r.decidedCount,
    currentStage: r.currentStage,
    recurrence: r.recurrence,
    dueAt: iso(r.dueAt),
    launchedAt: iso(r.launchedAt),
    closedAt: iso(r.closedAt),
  }
}

export const listCampaignsOp = defineListOperation({
  operationId: 'listCampaigns',
  path: '/campaigns',
  summary: 'List review campaigns (newest first, cursor pagination)',
  tag: 'Campaigns',
  scope: 'campaigns:read',
  query: campaignListQuery,
  item: campaignSchema,
  pageName: 'CampaignPage',
  description: 'A page of campaigns.',
  run: ({ ctx, query }) => offsetPaged(query, async (f, page, size) => (await listCampaigns(ctx, { status: f.status, page, size })).rows, campaignDto),
})

export const campaignItemsQuery = z.strictObject({
  reviewer: id.optional().meta({ description: 'Items of one reviewer.' }),
  decision: z
    .enum([...DECISIONS, 'none'])
    .optional()
    .meta({ description: '`none`: not decided yet.' }),
  remediation: z.enum(REMEDIATION_STATES).optional(),
  limit,
  cursor,
})

export const reviewItemSchema = z
  .object({
    id: z.string(),
    identity: z.object({ id: z.string(), name: z.string() }),
    reviewer: person.nullable(),
    stage: z.number().int(),
    status: z.string().meta({ description: '`pending`, `decided` or `closed`.' }),
    decision: z.enum(DECISIONS).nullable(),
    justification: z.string().nullable(),
    decidedAt: dateTime.nullable(),
    recommendation: z
      .enum(['keep', 'revoke', 'reduce'])
      .nullable()
      .meta({ description: '`reduce`: drop the grants in `suggestedReduce` (gateway access unused within the dormancy window), keep the rest.' }),
    suggestedReduce: z.array(z.string()).meta({ description: 'Grant ids a `reduce` recommendation drops (empty otherwise).' }),
    recommendationReason: z.string().nullable(),
    privileged: z.boolean(),
    remediationStatus: z.enum(REMEDIATION_STATES),
    version: z.number().int().meta({ description: 'Changes with every decision on the item.' }),
  })
  .meta({ id: 'ReviewItem' })

type ItemRow = Awaited<ReturnType<typeof listCampaignItems>>['rows'][number]
function itemDto(r: ItemRow): z.infer<typeof reviewItemSchema> {
  type Item = z.infer<typeof reviewItemSchema>
  return {
    id: r.id,
    identity: { id: r.identityId, name: r.identityName },
    reviewer: r.reviewerId ? { id: r.reviewerId, name: r.reviewerName ?? '' } : null,
    stage: r.stage,
    status: r.status,
    decision: r.decision as Item['decision'],
    justification: r.justification,
    decidedAt: iso(r.decidedAt),
    recommendation: r.recommendation as Item['recommendation'],
    recommendationReason: r.recommendationReason,
    suggestedReduce: r.recommendation === 'reduce' ? (parseSnapshot(r.snapshot)?.suggestedReduce ?? []) : [],
    privileged: r.privileged,
    remediationStatus: r.remediationStatus as Item['remediationStatus'],
    version: r.version,
  }
}

export const listCampaignItemsOp = defineListOperation({
  operationId: 'listCampaignItems',
  path: '/campaigns/{id}/items',
  summary: 'List a campaign’s review items (by identity name, cursor pagination)',
  tag: 'Campaigns',
  scope: 'campaigns:read',
  params: z.object({ id }),
  query: campaignItemsQuery,
  item: reviewItemSchema,
  pageName: 'ReviewItemPage',
  description: 'A page of the campaign’s items.',
  problems: [404],
  run: ({ ctx, params, query }) => offsetPaged(query, async (f, page, size) => (await listCampaignItems(ctx, params.id, { ...f, page, size })).rows, itemDto),
})

const oneCampaign = { params: z.object({ id }), tag: 'Campaigns' } as const

export const getCampaignOp = defineOperation({
  ...oneCampaign,
  operationId: 'getCampaign',
  method: 'get',
  path: '/campaigns/{id}',
  summary: 'Get a review campaign (its status and progress)',
  scope: 'campaigns:read',
  success: { status: 200, description: 'The campaign as it is now.', schema: campaignSchema },
  problems: [404],
  run: async ({ ctx, params }) => campaignDto(await getCampaign(ctx, params.id)),
})

/** What a launch answers: launching now (its operation to follow) or scheduled for the campaign's start date. */
export const campaignLaunchSchema = z
  .object({
    campaignId: z.string(),
    status: z.enum(['launching', 'scheduled']).meta({ description: '`scheduled`: the campaign launches by itself at `startAt`; there is no operation yet.' }),
    expectedItems: z.number().int().meta({ description: 'Review items the scope gives now (the launch snapshots it).' }),
    startAt: dateTime.nullable(),
    operation: operationSchema.nullable().meta({ description: 'The launch (absent while scheduled): poll `Location`.' }),
  })
  .meta({ id: 'CampaignLaunch' })
type CampaignLaunch = z.infer<typeof campaignLaunchSchema>

async function launchDto(ctx: Ctx, campaignId: string, r: { jobId: string | null; expectedItems: number; scheduled: boolean }): Promise<CampaignLaunch> {
  // The campaign this call just changed: read back as written (campaigns:write alone may answer it).
  const c = await getCampaignOrThrow(ctx, campaignId)
  return {
    campaignId,
    status: r.scheduled ? 'scheduled' : 'launching',
    expectedItems: r.expectedItems,
    startAt: iso(c.startAt),
    operation: r.jobId ? await startedOperation(ctx, r.jobId) : null,
  }
}
const launchLocation = (l: CampaignLaunch) => (l.operation ? `/api/v1/operations/${l.operation.id}` : `/api/v1/campaigns/${l.campaignId}`)

/** The create form's fields and checks (lib/campaigns/schemas.ts), strict, with the scope as GET /identities filters it. */
export const createCampaignBody = z
  .strictObject({
    ...campaignFields,
    scope: identityFilter.meta({
      description: 'The population: identities matching these filters (as GET /identities takes them) when the campaign launches.',
    }),
    fallbackReviewerId: campaignFields.fallbackReviewerId.meta({
      description: 'Reviews items whose owner chain finds nobody (an active member who can review).',
    }),
    startAt: campaignFields.startAt.meta({ description: 'A later start: launching schedules the campaign for this date.' }),
    launch: campaignFields.launch.meta({ description: 'Launch at once (as “Create and launch” does).' }),
  })
  .refine(...startBeforeDue)
  .meta({ id: 'CampaignCreate' })

export const createdCampaignSchema = campaignSchema
  .extend({ launch: campaignLaunchSchema.nullable().meta({ description: 'Set when the body asked to launch at once.' }) })
  .meta({ id: 'CreatedCampaign' })

export const createCampaignOp = defineOperation({
  operationId: 'createCampaign',
  method: 'post',
  path: '/campaigns',
  summary: 'Create a review campaign (a draft, or launched at once)',
  tag: 'Campaigns',
  scope: 'campaigns:write',
  body: createCampaignBody,
  success: {
    status: 201,
    description:
      'The campaign. Its creator of record is the member who created the token (the scope’s filters resolve for them). With `launch: true` the launch is under way: follow `launch.operation`.',
    schema: createdCampaignSchema,
    location: (c: { id: string }) => `/api/v1/campaigns/${c.id}`,
  },
  problems: [409],
  run: async ({ ctx, body }) => {
    const pctx = await tokenPerson(ctx)
    const r = await createCampaign(pctx, { ...body, orgSlug: ctx.org.slug, scope: identityFilterSchema.parse(body.scope) })
    return { ...campaignDto(await getCampaignOrThrow(ctx, r.campaign.id)), launch: r.launch ? await launchDto(ctx, r.campaign.id, r.launch) : null }
  },
})

export const launchCampaignOp = defineOperation({
  ...oneCampaign,
  operationId: 'launchCampaign',
  method: 'post',
  path: '/campaigns/{id}/launch',
  summary: 'Launch a draft campaign (asynchronous)',
  scope: 'campaigns:write',
  success: {
    status: 202,
    description:
      'The launch is under way: `Location` is its operation (GET /operations/{id}); once it succeeds the campaign is `active` with its items. A campaign whose start date is ahead is `scheduled` instead, and `Location` is the campaign.',
    schema: campaignLaunchSchema,
    location: launchLocation,
  },
  problems: [404, 409, 422],
  run: async ({ ctx, params }) => launchDto(ctx, params.id, await launchCampaign(await tokenPerson(ctx), params.id)),
})

export const closeCampaignOp = defineOperation({
  ...oneCampaign,
  operationId: 'closeCampaign',
  method: 'post',
  path: '/campaigns/{id}/close',
  summary: 'Close the current stage of an active campaign (asynchronous)',
  scope: 'campaigns:write',
  success: accepted(
    'The close is under way: undecided items take the campaign’s default decision and revokes go to remediation (or, with a second stage, the sign-off stage opens).',
  ),
  problems: [404, 409],
  run: async ({ ctx, params }) => startedOperation(ctx, (await requestClose(await tokenPerson(ctx), params.id)).jobId),
})

const REFUSALS = ['not_found', 'duplicate', 'not_yours', 'launching', 'locked', 'remediating', 'justification_required', 'invalid_reduce', 'changed'] as const

export const decisionsBody = z
  .strictObject({
    decisions: z
      .array(
        z.strictObject({
          itemId: id,
          decision: z.enum(DECISIONS).meta({ description: '`unsure` (“Don’t know”) leaves the item open; the default decision applies at close.' }),
          justification: justification.meta({ description: 'Why (at most 2,000 characters). The campaign’s justification rule says when one is needed.' }),
          reduceGrantIds: z.array(id).min(1).max(500).optional().meta({ description: 'For `reduce` (identity attestation): the item’s grants to drop.' }),
        }),
      )
      .min(1)
      .max(MAX_DECISIONS_PER_CALL),
  })
  .meta({ id: 'DecisionBatch' })

export const decisionResultSchema = z
  .object({
    itemId: z.string(),
    result: z.enum(['decided', 'refused']),
    decision: z.enum(DECISIONS).optional(),
    version: z.number().int().optional().meta({ description: 'The item’s version after the decision.' }),
    reason: z.enum(REFUSALS).optional().meta({
      description:
        '`not_found`: no such item in this campaign; `duplicate`: named earlier in the call; `not_yours`: assigned to another reviewer; `launching`; `locked`: the stage has closed; `remediating`: a revoke is being applied; `justification_required`: the campaign’s rule asks for one; `invalid_reduce`; `changed`: decided or reassigned meanwhile.',
    }),
    detail: z.string().optional().meta({ description: 'The refusal in words.' }),
  })
  .meta({ id: 'DecisionResult' })

export const decideOp = defineOperation({
  ...oneCampaign,
  operationId: 'decideCampaignItems',
  method: 'post',
  path: '/campaigns/{id}/decisions',
  summary: 'Record decisions on a campaign’s items, each answered decided or refused',
  scope: 'decisions:write',
  body: decisionsBody,
  success: {
    status: 200,
    description: [
      `One result per decision, in order (at most ${MAX_DECISIONS_PER_CALL} a call). A refused item changes nothing; the others are recorded.`,
      '',
      'Who decides: a token has no person behind it, so the reviewer of record is the member who created the token — each decision is stored as theirs, and its audit row names the token as actor and them as `onBehalfOf` (“decided by <person> via API token <name>”). The token decides only items whose current reviewer is that person; a token that also has `campaigns:write`, created by a member whose role manages campaigns (admin, governance), may decide any reviewer’s item (the audit row names whose item it was).',
      '',
      'Each decision meets the same rules as in the browser: the stage must be open, no revoke already being applied, and the campaign’s justification rule (always / privileged keep / revoke and reduce / never) met.',
    ].join('\n'),
    schema: z.object({ decided: z.number().int(), refused: z.number().int(), results: z.array(decisionResultSchema) }).meta({ id: 'DecisionBatchResult' }),
  },
  problems: [404],
  run: async ({ ctx, params, body }) => {
    const results = await decideItemsAs(await tokenPerson(ctx), params.id, body.decisions)
    return { decided: results.filter((r) => r.result === 'decided').length, refused: results.filter((r) => r.result === 'refused').length, results }
  },
})
