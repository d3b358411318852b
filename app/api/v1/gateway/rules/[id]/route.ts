import { apiRoute } from '@/lib/api/route'
import { deleteGatewayRuleOp } from '@/lib/api/v1/gateway'

export const DELETE = apiRoute(deleteGatewayRuleOp)
