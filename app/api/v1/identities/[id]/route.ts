import { apiRoute } from '@/lib/api/route'
import { getIdentityOp } from '@/lib/api/v1/identities'

export const GET = apiRoute(getIdentityOp)
