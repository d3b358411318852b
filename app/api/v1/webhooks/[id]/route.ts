import { apiRoute } from '@/lib/api/route'
import { deleteWebhookOp, getWebhookOp, updateWebhookOp } from '@/lib/api/v1/webhooks'

export const GET = apiRoute(getWebhookOp)
export const PATCH = apiRoute(updateWebhookOp)
export const DELETE = apiRoute(deleteWebhookOp)
