import { z } from 'zod'
import { firstValues, pageParams, type SearchParamsRecord } from '@/components/data-table/search-params'

/** The sources list's state: page and size. */
export const sourceListSchema = z.object(pageParams(25))

export function parseSourceSearchParams(sp: SearchParamsRecord) {
  return sourceListSchema.parse(firstValues(sp))
}
