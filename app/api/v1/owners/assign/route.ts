import { apiRoute } from '@/lib/api/route'
import { assignOwnersOp } from '@/lib/api/v1/owners'

export const POST = apiRoute(assignOwnersOp)
