import { firstValues, type SearchParamsRecord } from '@/components/data-table/search-params'
import { jobListSchema } from '@/lib/jobs/schemas'

/** The jobs list's state: state and type filters, page and size (lib/jobs/schemas.ts, shared with the query). */
export function parseJobSearchParams(sp: SearchParamsRecord) {
  return jobListSchema.parse(firstValues(sp))
}
