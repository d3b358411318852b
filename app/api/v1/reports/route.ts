import { apiRoute } from '@/lib/api/route'
import { startReportOp } from '@/lib/api/v1/reports'

export const POST = apiRoute(startReportOp)
