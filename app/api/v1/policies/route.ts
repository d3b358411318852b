import { apiRoute } from '@/lib/api/route'
import { getPoliciesOp, putPoliciesOp } from '@/lib/api/v1/policies'

export const GET = apiRoute(getPoliciesOp)
export const PUT = apiRoute(putPoliciesOp)
