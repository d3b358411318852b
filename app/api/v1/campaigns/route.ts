import { apiRoute } from '@/lib/api/route'
import { listCampaignsOp } from '@/lib/api/v1/campaigns'

export const GET = apiRoute(listCampaignsOp)
