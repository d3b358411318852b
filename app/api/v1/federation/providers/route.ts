import { apiRoute } from '@/lib/api/route'
import { createTrustProviderOp, listTrustProvidersOp } from '@/lib/api/v1/federation'

export const GET = apiRoute(listTrustProvidersOp)
export const POST = apiRoute(createTrustProviderOp)
