import { apiRoute } from '@/lib/api/route'
import { getOperationOp } from '@/lib/api/v1/jobs'

export const GET = apiRoute(getOperationOp)
