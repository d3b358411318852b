import { apiRoute } from '@/lib/api/route'
import { listGrantsOp } from '@/lib/api/v1/grants'

export const GET = apiRoute(listGrantsOp)
