import 'server-only'
import { z } from 'zod'
import { dateTime, defineListOperation, limit } from '@/lib/api/v1/common'
import { listAuditEventsAfter } from '@/lib/audit/queries'

export const auditListQuery = z.strictObject({
  cursor: z
    .string()
    .regex(/^\d{1,15}$/, 'The cursor is a sequence number: pass `nextCursor` of the previous page.')
    .optional()
    .meta({ description: 'Events after this sequence number (`nextCursor` of the previous page); omit to start at the first event.' }),
  limit,
})

export const auditEventSchema = z
  .object({
    id: z.string(),
    seq: z.number().int().meta({ description: 'Position in the organization’s hash chain: gap-free, increasing.' }),
    at: dateTime,
    actor: z.object({ type: z.string(), id: z.string().nullable(), label: z.string() }),
    action: z.string(),
    target: z.object({ type: z.string().nullable(), id: z.string().nullable(), label: z.string().nullable() }),
    outcome: z.enum(['success', 'denied', 'failure']),
    justification: z.string().nullable(),
    change: z.string().nullable().meta({ description: 'What changed, in words.' }),
    details: z.record(z.string(), z.unknown()),
    hash: z.string(),
    prevHash: z.string(),
  })
  .meta({ id: 'AuditEvent' })

function detailsOf(json: string): Record<string, unknown> {
  try {
    const v: unknown = JSON.parse(json)
    return v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : {}
  } catch {
    return {}
  }
}

export const listAuditEventsOp = defineListOperation({
  operationId: 'listAuditEvents',
  path: '/audit-events',
  summary: 'Follow the audit log (oldest first, cursor by sequence number)',
  tag: 'Audit',
  scope: 'audit:read',
  query: auditListQuery,
  item: auditEventSchema,
  pageName: 'AuditEventPage',
  description: 'Events after the cursor.',
  run: async ({ ctx, query }) => {
    const rows = await listAuditEventsAfter(ctx, { after: Number(query.cursor ?? 0), limit: query.limit })
    return {
      data: rows.map((r) => ({
        id: r.id,
        seq: r.seq,
        at: r.at.toISOString(),
        actor: { type: r.actorType, id: r.actorId, label: r.actorLabel },
        action: r.action,
        target: { type: r.targetType, id: r.targetId, label: r.targetLabel },
        outcome: r.outcome as 'success' | 'denied' | 'failure',
        justification: r.justification,
        change: r.change,
        details: detailsOf(r.details),
        hash: r.hash,
        prevHash: r.prevHash,
      })),
      // Following the log never ends: the last page's cursor is where to ask again later.
      nextCursor: rows.length ? String(rows.at(-1)!.seq) : (query.cursor ?? null),
    }
  },
})
