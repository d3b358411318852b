import { firstValues, type SearchParamsRecord } from '@/components/data-table/search-params'
import { reviewListSchema } from '@/lib/campaigns/schemas'

/** My reviews: campaign, state and other filters, the view, page and size (lib/campaigns/schemas.ts, shared with the query). */
export function parseReviewSearchParams(sp: SearchParamsRecord) {
  return reviewListSchema.parse(firstValues(sp))
}
