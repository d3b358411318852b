import { apiRoute } from '@/lib/api/route'
import { createGatewayRuleOp, listGatewayRulesOp } from '@/lib/api/v1/gateway'

export const GET = apiRoute(listGatewayRulesOp)
export const POST = apiRoute(createGatewayRuleOp)
