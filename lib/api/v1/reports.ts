import 'server-only'
import { z } from 'zod'
import { defineOperation } from '@/lib/api/operation'
import { tokenPerson } from '@/lib/api/person'
import { dateTime, id, iso } from '@/lib/api/v1/common'
import { downloadExport, getExport, startExport } from '@/lib/reports/exports'
import { EXPORT_KINDS, exportParamsSchema } from '@/lib/reports/schemas'

const EXPORT_STATUSES = ['queued', 'running', 'ready', 'failed'] as const
const day = z.string().max(40).optional()

/** The Reports page's background export (lib/reports/schemas.ts exportParamsSchema) as one strict object. */
export const startReportBody = z
  .strictObject({
    kind: z.enum(EXPORT_KINDS).meta({
      description:
        '`inventory` (every identity), `access` (every grant), `audit-log` (a range of days; the token also needs `audit:read`), `campaign-evidence` (one campaign’s decisions, CSV or PDF), `evidence-pack` (one campaign’s signed ZIP of all of these; also needs `audit:read`).',
    }),
    format: z
      .enum(['csv', 'jsonl', 'pdf'])
      .optional()
      .meta({ description: '`audit-log`: `csv` (default) or `jsonl`; `campaign-evidence`: `csv` (default) or `pdf`.' }),
    from: day.meta({ description: '`audit-log` and `evidence-pack`: the first day (YYYY-MM-DD, UTC; default today, or the campaign’s launch day).' }),
    to: day.meta({ description: '`audit-log` and `evidence-pack`: the last day, included (at most 366 days after `from`; default today).' }),
    campaign: id.optional().meta({ description: '`campaign-evidence` and `evidence-pack` (required there): the campaign’s id.' }),
  })
  .superRefine((v, ctx) => {
    const only = (field: 'format' | 'from' | 'to' | 'campaign', kinds: string[]) => {
      if (v[field] !== undefined && !kinds.includes(v.kind))
        ctx.addIssue({ code: 'custom', path: [field], message: `Only ${kinds.map((k) => `a \`${k}\``).join(' or ')} report takes \`${field}\`.` })
    }
    only('format', ['audit-log', 'campaign-evidence'])
    only('from', ['audit-log', 'evidence-pack'])
    only('to', ['audit-log', 'evidence-pack'])
    only('campaign', ['campaign-evidence', 'evidence-pack'])
    if (v.format === 'pdf' && v.kind !== 'campaign-evidence')
      ctx.addIssue({ code: 'custom', path: ['format'], message: 'Only a `campaign-evidence` report takes `pdf`.' })
    if (v.format === 'jsonl' && v.kind !== 'audit-log') ctx.addIssue({ code: 'custom', path: ['format'], message: 'Only an `audit-log` report takes `jsonl`.' })
    if ((v.kind === 'campaign-evidence' || v.kind === 'evidence-pack') && !v.campaign)
      ctx.addIssue({ code: 'custom', path: ['campaign'], message: 'Name the campaign.' })
  })
  .meta({ id: 'ReportRequest' })

export const reportSchema = z
  .object({
    id: z.string(),
    kind: z.enum(EXPORT_KINDS),
    format: z.string(),
    status: z.enum(EXPORT_STATUSES).meta({ description: '`ready` and `failed` are final; poll until one of them.' }),
    filename: z.string(),
    rows: z.number().int().meta({ description: 'Records written so far.' }),
    expectedRows: z.number().int().nullable(),
    bytes: z.number().int().nullable(),
    sha256: z.string().nullable().meta({ description: 'SHA-256 (hex) of the finished file; the download carries it as `Repr-Digest`.' }),
    error: z.string().nullable(),
    operationId: z.string().nullable().meta({ description: 'The job writing the file (GET /operations/{id}, with `remediation:read`).' }),
    createdAt: dateTime,
    completedAt: dateTime.nullable(),
    expiresAt: dateTime.meta({ description: 'The file is deleted after this (seven days).' }),
  })
  .meta({ id: 'Report' })

type ReportRow = Awaited<ReturnType<typeof getExport>>
function reportDto(e: ReportRow): z.infer<typeof reportSchema> {
  return {
    id: e.id,
    kind: e.kind as z.infer<typeof reportSchema>['kind'],
    format: e.format,
    status: e.status as z.infer<typeof reportSchema>['status'],
    filename: e.filename,
    rows: e.rows,
    expectedRows: e.expectedRows,
    bytes: e.bytes,
    sha256: e.sha256,
    error: e.error,
    operationId: e.jobId,
    createdAt: e.createdAt.toISOString(),
    completedAt: iso(e.completedAt),
    expiresAt: e.expiresAt.toISOString(),
  }
}

export const startReportOp = defineOperation({
  operationId: 'startReport',
  method: 'post',
  path: '/reports',
  summary: 'Start a report export (asynchronous)',
  tag: 'Reports',
  scope: 'reports:write',
  body: startReportBody,
  success: {
    status: 202,
    description:
      'The export is queued, written by a background job as on the Reports page; its requester of record is the member who created the token. Poll `Location` (GET /reports/{id}) until `ready`, then download it.',
    schema: reportSchema,
    location: (r: { id: string }) => `/api/v1/reports/${r.id}`,
  },
  problems: [403, 404, 409],
  run: async ({ ctx, body }) => {
    const { id: exportId } = await startExport(await tokenPerson(ctx), exportParamsSchema.parse(body))
    return reportDto(await getExport(ctx, exportId))
  },
})

const oneReport = { params: z.object({ id }), tag: 'Reports', scope: 'reports:read', method: 'get' } as const

export const getReportOp = defineOperation({
  ...oneReport,
  operationId: 'getReport',
  path: '/reports/{id}',
  summary: 'Follow a report export',
  success: { status: 200, description: 'The export as it is now.', schema: reportSchema },
  problems: [404],
  run: async ({ ctx, params }) => reportDto(await getExport(ctx, params.id)),
})

export const downloadReportOp = defineOperation({
  ...oneReport,
  operationId: 'downloadReport',
  path: '/reports/{id}/download',
  summary: 'Download a finished report export',
  success: {
    status: 200,
    description:
      'The file, streamed. Only a complete file is served (a report not yet `ready`, expired or failed is a 404). Each download is audited with the file’s SHA-256.',
    file: {
      mediaTypes: ['text/csv', 'application/x-ndjson', 'application/pdf', 'application/zip'],
      headers: {
        'Content-Disposition': 'attachment; filename="…"',
        'Repr-Digest': 'The file’s SHA-256 (RFC 9530): `sha-256=:<base64>:`, as recorded when the file was written.',
        'X-Checksum-SHA256': 'The same SHA-256, in hex (as `sha256` of GET /reports/{id}).',
      },
    },
  },
  problems: [403, 404],
  run: async ({ ctx, params }) => {
    const e = await getExport(ctx, params.id)
    const d = await downloadExport(ctx, params.id)
    const sha = e.sha256 ?? ''
    return { ...d, headers: { 'Repr-Digest': `sha-256=:${Buffer.from(sha, 'hex').toString('base64')}:`, 'X-Checksum-SHA256': sha } }
  },
})
