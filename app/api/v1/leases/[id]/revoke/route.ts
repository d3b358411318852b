import { apiRoute } from '@/lib/api/route'
import { revokeLeaseOp } from '@/lib/api/v1/leases'

export const POST = apiRoute(revokeLeaseOp)
