import { firstValues, type SearchParamsRecord } from '@/components/data-table/search-params'
import { inboxListSchema } from '@/lib/notifications/schemas'

/** The inbox's state: all or unread, page and size (lib/notifications/schemas.ts, shared with the query). */
export function parseInboxSearchParams(sp: SearchParamsRecord) {
  return inboxListSchema.parse(firstValues(sp))
}
