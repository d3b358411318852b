import { apiRoute } from '@/lib/api/route'
import { launchCampaignOp } from '@/lib/api/v1/campaigns'

export const POST = apiRoute(launchCampaignOp)
