import { firstValues, type SearchParamsRecord } from '@/components/data-table/search-params'
import { campaignItemsSchema } from '@/lib/campaigns/schemas'

/** A campaign's page: the items table's filters, page and size, and the reviewers panel's page (`rpage`). */
export function parseCampaignPageSearchParams(sp: SearchParamsRecord) {
  return campaignItemsSchema.parse(firstValues(sp))
}
