import { apiRoute } from '@/lib/api/route'
import { deleteGatewayRouteOp, getGatewayRouteOp, updateGatewayRouteOp } from '@/lib/api/v1/gateway'

export const GET = apiRoute(getGatewayRouteOp)
export const PATCH = apiRoute(updateGatewayRouteOp)
export const DELETE = apiRoute(deleteGatewayRouteOp)
