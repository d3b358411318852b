import { apiRoute } from '@/lib/api/route'
import { createTrustRuleOp } from '@/lib/api/v1/federation'

export const POST = apiRoute(createTrustRuleOp)
