import { apiRoute } from '@/lib/api/route'
import { createCampaignOp, listCampaignsOp } from '@/lib/api/v1/campaigns'

export const GET = apiRoute(listCampaignsOp)
export const POST = apiRoute(createCampaignOp)
