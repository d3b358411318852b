import { z } from 'zod'
import { firstValues, pageParams, type SearchParamsRecord } from '@/components/data-table/search-params'

const decided = pageParams(25)

/** Requests: the page and size of "Your requests", and of "Recently decided" (`dpage`, `dsize`). */
export const requestListSchema = z.object({ ...pageParams(25), dpage: decided.page, dsize: decided.size })

export function parseRequestSearchParams(sp: SearchParamsRecord) {
  return requestListSchema.parse(firstValues(sp))
}
