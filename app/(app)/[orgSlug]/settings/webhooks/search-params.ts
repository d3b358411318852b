import { z } from 'zod'
import { firstValues, pageParams, type SearchParamsRecord } from '@/components/data-table/search-params'

/** Webhooks: the subscription whose delivery log is shown, and that log's page and size. */
export const webhooksListSchema = z.object({ subscription: z.string().max(40).optional().catch(undefined), ...pageParams(25) })

export function parseWebhooksSearchParams(sp: SearchParamsRecord) {
  return webhooksListSchema.parse(firstValues(sp))
}
