import { apiRoute } from '@/lib/api/route'
import { listWebhookDeliveriesOp } from '@/lib/api/v1/webhooks'

export const GET = apiRoute(listWebhookDeliveriesOp)
