import { apiRoute } from '@/lib/api/route'
import { deleteIdentityOp, getIdentityOp, updateIdentityOp } from '@/lib/api/v1/identities'

export const GET = apiRoute(getIdentityOp)
export const PATCH = apiRoute(updateIdentityOp)
export const DELETE = apiRoute(deleteIdentityOp)
