import { downloadAuditLog, downloadResponse } from '@/lib/reports/downloads'
import { auditLogQuerySchema } from '@/lib/reports/schemas'
import { orgParams, orgRoute } from '@/lib/route'

export const runtime = 'nodejs'
export const dynamic = 'force-dynamic'

/** The audit log of a range of days, as CSV or JSON Lines with its chain fields, streamed. */
export const GET = orgRoute({
  name: 'reports.audit-log',
  params: orgParams,
  query: auditLogQuerySchema,
  permission: 'report:export',
  run: async ({ ctx, query }) => downloadResponse(await downloadAuditLog(ctx, query, query.format)),
})
