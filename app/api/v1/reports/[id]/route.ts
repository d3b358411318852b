import { apiRoute } from '@/lib/api/route'
import { getReportOp } from '@/lib/api/v1/reports'

export const GET = apiRoute(getReportOp)
