import { apiRoute } from '@/lib/api/route'
import { getMetricsOp } from '@/lib/api/v1/metrics'

export const GET = apiRoute(getMetricsOp)
