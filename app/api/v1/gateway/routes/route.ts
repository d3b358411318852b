import { apiRoute } from '@/lib/api/route'
import { createGatewayRouteOp, listGatewayRoutesOp } from '@/lib/api/v1/gateway'

export const GET = apiRoute(listGatewayRoutesOp)
export const POST = apiRoute(createGatewayRouteOp)
