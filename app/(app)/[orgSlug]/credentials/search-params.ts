import { z } from 'zod'
import { firstValues, pageParams, type SearchParamsRecord } from '@/components/data-table/search-params'

const more = pageParams(25)

/** Credentials: templates (`page`, `size`), active leases (`lpage`, `lsize`), stuck leases (`spage`, `ssize`), ended (`epage`, `esize`). */
export const credentialsListSchema = z.object({
  ...pageParams(25),
  lpage: more.page,
  lsize: more.size,
  spage: more.page,
  ssize: more.size,
  epage: more.page,
  esize: more.size,
})

export function parseCredentialsSearchParams(sp: SearchParamsRecord) {
  return credentialsListSchema.parse(firstValues(sp))
}
