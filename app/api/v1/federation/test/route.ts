import { apiRoute } from '@/lib/api/route'
import { testTrustTokenOp } from '@/lib/api/v1/federation'

export const POST = apiRoute(testTrustTokenOp)
