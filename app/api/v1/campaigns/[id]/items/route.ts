import { apiRoute } from '@/lib/api/route'
import { listCampaignItemsOp } from '@/lib/api/v1/campaigns'

export const GET = apiRoute(listCampaignItemsOp)
