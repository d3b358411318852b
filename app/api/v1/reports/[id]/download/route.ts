import { apiRoute } from '@/lib/api/route'
import { downloadReportOp } from '@/lib/api/v1/reports'

export const GET = apiRoute(downloadReportOp)
