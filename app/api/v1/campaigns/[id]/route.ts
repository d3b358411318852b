import { apiRoute } from '@/lib/api/route'
import { getCampaignOp } from '@/lib/api/v1/campaigns'

export const GET = apiRoute(getCampaignOp)
