import { apiRoute } from '@/lib/api/route'
import { decideOp } from '@/lib/api/v1/campaigns'

export const POST = apiRoute(decideOp)
