import { z } from 'zod'
import { firstValues, pageParams, type SearchParamsRecord } from '@/components/data-table/search-params'

/** "My identities": the page and size of the owned and backed-up list. */
export const myListSchema = z.object(pageParams(50))

export function parseMySearchParams(sp: SearchParamsRecord) {
  return myListSchema.parse(firstValues(sp))
}
