import { apiRoute } from '@/lib/api/route'
import { listFindingsOp } from '@/lib/api/v1/findings'

export const GET = apiRoute(listFindingsOp)
