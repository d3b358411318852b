import 'server-only'
import { z } from 'zod'
import { offsetPaged } from '@/lib/api/cursor'
import { defineOperation } from '@/lib/api/operation'
import { cursor, dateTime, defineListOperation, id, iso, limit } from '@/lib/api/v1/common'
import { acceptFinding } from '@/lib/findings/mutations'
import { listFindings } from '@/lib/findings/queries'
import { ALL_RULE_IDS, OWASP_CODES, SEVERITIES } from '@/lib/findings/rules'
import { acceptanceFields, checkAcceptUntil, FINDING_SORTS, FINDING_STATUSES, findingListSchema } from '@/lib/findings/schemas'
import { ENVIRONMENTS } from '@/lib/inventory/schemas'

export const findingListQuery = z.strictObject({
  status: z.enum(FINDING_STATUSES).default('open'),
  severity: z.enum(SEVERITIES).optional(),
  code: z.enum(OWASP_CODES).optional().meta({ description: 'OWASP NHI Top 10 code.' }),
  rule: z.enum(ALL_RULE_IDS as [string, ...string[]]).optional(),
  identity: id.optional().meta({ description: 'Findings of one identity.' }),
  owner: z.union([z.literal('unowned'), id]).optional(),
  env: z.enum(ENVIRONMENTS).optional(),
  source: id.optional(),
  q: z.string().trim().max(100).optional().meta({ description: 'Search in identity names.' }),
  sort: z.enum(FINDING_SORTS).default('severity'),
  dir: z.enum(['asc', 'desc']).optional(),
  limit,
  cursor,
})

export const findingSchema = z
  .object({
    id: z.string(),
    rule: z.string(),
    owaspCode: z.string(),
    severity: z.enum(SEVERITIES),
    title: z.string(),
    detail: z.string().nullable(),
    status: z.enum(FINDING_STATUSES),
    firstSeenAt: dateTime,
    lastSeenAt: dateTime,
    acceptedUntil: dateTime.nullable(),
    acceptedReason: z.string().nullable(),
    identity: z.object({ id: z.string(), name: z.string(), kind: z.string(), environment: z.string(), riskScore: z.number().int() }),
  })
  .meta({ id: 'Finding' })

function findingDto(r: Awaited<ReturnType<typeof listFindings>>['rows'][number]): z.infer<typeof findingSchema> {
  return {
    id: r.id,
    rule: r.rule,
    owaspCode: r.owaspCode,
    severity: r.severity as (typeof SEVERITIES)[number],
    title: r.title,
    detail: r.detail,
    status: r.status as (typeof FINDING_STATUSES)[number],
    firstSeenAt: r.firstSeenAt.toISOString(),
    lastSeenAt: r.lastSeenAt.toISOString(),
    acceptedUntil: iso(r.acceptedUntil),
    acceptedReason: r.acceptedReason,
    identity: { id: r.identity.id, name: r.identity.name, kind: r.identity.kind, environment: r.identity.environment, riskScore: r.identity.riskScore },
  }
}

export const listFindingsOp = defineListOperation({
  operationId: 'listFindings',
  path: '/findings',
  summary: 'List findings (most severe first, cursor pagination)',
  tag: 'Findings',
  scope: 'findings:read',
  query: findingListQuery,
  item: findingSchema,
  pageName: 'FindingPage',
  description: 'A page of findings.',
  run: ({ ctx, query }) =>
    offsetPaged(query, async (filter, page, size) => (await listFindings(ctx, { ...findingListSchema.parse(filter), page, size })).rows, findingDto),
})

export const acceptRiskBody = z
  .strictObject({
    until: acceptanceFields.until.meta({ description: 'The last day the risk is accepted (YYYY-MM-DD, at most a year ahead); the finding reopens after it.' }),
    reason: acceptanceFields.reason.meta({ description: 'Why the risk is acceptable; it goes into the audit log.' }),
  })
  .superRefine(checkAcceptUntil)
  .meta({ id: 'AcceptRisk' })

export const acceptFindingRiskOp = defineOperation({
  operationId: 'acceptFindingRisk',
  method: 'post',
  path: '/findings/{id}/accept-risk',
  summary: 'Accept a finding’s risk until a date',
  tag: 'Findings',
  scope: 'findings:write',
  params: z.object({ id }),
  body: acceptRiskBody,
  success: {
    status: 200,
    description: 'The finding, now accepted.',
    schema: z.object({ id: z.string(), status: z.literal('accepted'), acceptedUntil: dateTime, acceptedReason: z.string() }).meta({ id: 'FindingAcceptance' }),
  },
  problems: [404, 409],
  run: async ({ ctx, params, body }) => {
    const r = await acceptFinding(ctx, { orgSlug: ctx.org.slug, findingId: params.id, ...body })
    return { id: r.id, status: 'accepted' as const, acceptedUntil: r.acceptedUntil.toISOString(), acceptedReason: body.reason }
  },
})
