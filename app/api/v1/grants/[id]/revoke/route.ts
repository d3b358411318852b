import { apiRoute } from '@/lib/api/route'
import { revokeGrantOp } from '@/lib/api/v1/grants'

export const POST = apiRoute(revokeGrantOp)
