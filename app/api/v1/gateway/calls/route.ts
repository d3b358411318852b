import { apiRoute } from '@/lib/api/route'
import { listGatewayCallsOp } from '@/lib/api/v1/gateway'

export const GET = apiRoute(listGatewayCallsOp)
