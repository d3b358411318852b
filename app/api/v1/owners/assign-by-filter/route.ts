import { apiRoute } from '@/lib/api/route'
import { assignOwnersByFilterOp } from '@/lib/api/v1/owners'

export const POST = apiRoute(assignOwnersByFilterOp)
