import { apiRoute } from '@/lib/api/route'
import { acceptFindingRiskOp } from '@/lib/api/v1/findings'

export const POST = apiRoute(acceptFindingRiskOp)
