import { apiRoute } from '@/lib/api/route'
import { createIdentityOp, listIdentitiesOp } from '@/lib/api/v1/identities'

export const GET = apiRoute(listIdentitiesOp)
export const POST = apiRoute(createIdentityOp)
