import { apiRoute } from '@/lib/api/route'
import { createLeaseOp, listLeasesOp } from '@/lib/api/v1/leases'

export const GET = apiRoute(listLeasesOp)
export const POST = apiRoute(createLeaseOp)
