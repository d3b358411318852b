import { apiRoute } from '@/lib/api/route'
import { createWebhookOp, listWebhooksOp } from '@/lib/api/v1/webhooks'

export const GET = apiRoute(listWebhooksOp)
export const POST = apiRoute(createWebhookOp)
