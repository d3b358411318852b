import { apiRoute } from '@/lib/api/route'
import { listAuditEventsOp } from '@/lib/api/v1/audit'

export const GET = apiRoute(listAuditEventsOp)
