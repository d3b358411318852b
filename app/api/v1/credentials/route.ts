import { apiRoute } from '@/lib/api/route'
import { listCredentialsOp } from '@/lib/api/v1/credentials'

export const GET = apiRoute(listCredentialsOp)
