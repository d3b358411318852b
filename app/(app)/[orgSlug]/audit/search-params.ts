import { firstValues, type SearchParamsRecord } from '@/components/data-table/search-params'
import { auditListSchema } from '@/lib/audit/schemas'

/** The audit log's list state: its filters, page and size (lib/audit/schemas.ts, shared with the queries). */
export function parseAuditSearchParams(sp: SearchParamsRecord) {
  return auditListSchema.parse(firstValues(sp))
}
