import 'server-only'
import { z } from 'zod'
import { offsetPaged } from '@/lib/api/cursor'
import { cursor, dateTime, defineListOperation, id, iso, limit, person } from '@/lib/api/v1/common'
import { listCampaignItems, listCampaigns } from '@/lib/campaigns/queries'
import { CAMPAIGN_TYPES, DECISIONS } from '@/lib/campaigns/schemas'

const CAMPAIGN_STATUSES = ['draft', 'launching', 'active', 'closing', 'closed', 'canceled'] as const
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
    recommendation: z.enum(['keep', 'revoke']).nullable(),
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
