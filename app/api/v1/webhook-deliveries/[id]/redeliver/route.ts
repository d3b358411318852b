import { apiRoute } from '@/lib/api/route'
import { redeliverWebhookOp } from '@/lib/api/v1/webhooks'

export const POST = apiRoute(redeliverWebhookOp)
