import { apiRoute } from '@/lib/api/route'
import { simulatePoliciesOp } from '@/lib/api/v1/policies'

export const POST = apiRoute(simulatePoliciesOp)
