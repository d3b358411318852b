import { apiRoute } from '@/lib/api/route'
import { closeCampaignOp } from '@/lib/api/v1/campaigns'

export const POST = apiRoute(closeCampaignOp)
