import { apiRoute } from '@/lib/api/route'
import { renewLeaseOp } from '@/lib/api/v1/leases'

export const POST = apiRoute(renewLeaseOp)
