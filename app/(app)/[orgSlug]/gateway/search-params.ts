import { z } from 'zod'
import { firstValues, pageParams, type SearchParamsRecord } from '@/components/data-table/search-params'

/** The routes list's state: page and size. */
export const routeListSchema = z.object(pageParams(25))

export function parseRouteSearchParams(sp: SearchParamsRecord) {
  return routeListSchema.parse(firstValues(sp))
}
