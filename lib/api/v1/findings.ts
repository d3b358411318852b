import 'server-only'
import { z } from 'zod'
import { offsetPaged } from '@/lib/api/cursor'
import { cursor, dateTime, defineListOperation, id, iso, limit } from '@/lib/api/v1/common'
import { listFindings } from '@/lib/findings/queries'
import { OWASP_CODES, RULE_IDS, SEVERITIES } from '@/lib/findings/rules'
import { FINDING_SORTS, FINDING_STATUSES, findingListSchema } from '@/lib/findings/schemas'
import { ENVIRONMENTS } from '@/lib/inventory/schemas'

export const findingListQuery = z.strictObject({
  status: z.enum(FINDING_STATUSES).default('open'),
  severity: z.enum(SEVERITIES).optional(),
  code: z.enum(OWASP_CODES).optional().meta({ description: 'OWASP NHI Top 10 code.' }),
  rule: z.enum(RULE_IDS as [string, ...string[]]).optional(),
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
