import { z } from 'zod'
import { firstValues, pageParams, type SearchParamsRecord } from '@/components/data-table/search-params'

/** The campaigns list's state: page and size. */
export const campaignListSchema = z.object(pageParams(25))

export function parseCampaignSearchParams(sp: SearchParamsRecord) {
  return campaignListSchema.parse(firstValues(sp))
}
