import { firstValues, type SearchParamsRecord } from '@/components/data-table/search-params'
import { findingListSchema } from '@/lib/findings/schemas'

/** The findings list's state: status, filters, sort, page and size (lib/findings/schemas.ts, shared with the query). */
export function parseFindingSearchParams(sp: SearchParamsRecord) {
  return findingListSchema.parse(firstValues(sp))
}
