import { downloadAuditLog } from '@/lib/reports/downloads'
import { auditLogQuerySchema } from '@/lib/reports/schemas'
import { downloadRoute } from '@/lib/route'

/** The audit log of a range of days, as CSV or JSON Lines with its chain fields, streamed. */
export const GET = downloadRoute({
  name: 'reports.audit-log',
  query: auditLogQuerySchema,
  permission: 'report:export',
  download: ({ ctx, query }) => downloadAuditLog(ctx, query, query.format),
})
