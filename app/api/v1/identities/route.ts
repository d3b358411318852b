import { apiRoute } from '@/lib/api/route'
import { listIdentitiesOp } from '@/lib/api/v1/identities'

export const GET = apiRoute(listIdentitiesOp)
