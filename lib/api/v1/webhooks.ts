import 'server-only'
import { z } from 'zod'
import { decodeCursor, encodeCursor } from '@/lib/api/cursor'
import { defineOperation } from '@/lib/api/operation'
import { cursor, dateTime, defineListOperation, id, iso, limit } from '@/lib/api/v1/common'
import type { Ctx } from '@/lib/auth/org-context'
import { createSubscription, deleteSubscription, redeliver, setSubscriptionEnabled } from '@/lib/webhooks/mutations'
import { getSubscription, listDeliveries, listSubscriptions, type DeliveryRow } from '@/lib/webhooks/queries'
import { DELIVERY_STATUSES, WEBHOOK_EVENTS, webhookBodySchema } from '@/lib/webhooks/schemas'

const TAG = 'Webhooks'
const read = { tag: TAG, scope: 'webhooks:read' } as const
const write = { tag: TAG, scope: 'webhooks:write' } as const

export const webhookSubscriptionSchema = z
  .object({
    id: z.string(),
    url: z.string(),
    description: z.string().nullable(),
    events: z.array(z.enum(WEBHOOK_EVENTS)),
    secretPrefix: z
      .string()
      .meta({ description: 'The first characters of the signing secret, to tell secrets apart; the secret itself is shown only at creation.' }),
    enabled: z.boolean(),
    createdAt: dateTime,
    updatedAt: dateTime,
  })
  .meta({ id: 'WebhookSubscription' })

type Sub = Awaited<ReturnType<typeof getSubscription>>
function subDto(s: Sub): z.infer<typeof webhookSubscriptionSchema> {
  return {
    id: s.id,
    url: s.url,
    description: s.description,
    events: s.events,
    secretPrefix: s.secretPrefix,
    enabled: s.enabled,
    createdAt: s.createdAt.toISOString(),
    updatedAt: s.updatedAt.toISOString(),
  }
}
const subOf = async (ctx: Ctx, subscriptionId: string) => subDto(await getSubscription(ctx, subscriptionId))

const createdSchema = webhookSubscriptionSchema
  .extend({
    secret: z.string().meta({
      description:
        'The signing secret (`whsec_` + base64): shown once. Verify `webhook-signature: v1,<base64 HMAC-SHA256 of "<webhook-id>.<webhook-timestamp>.<body>">` under its bytes.',
    }),
  })
  .meta({ id: 'WebhookSubscriptionCreated' })

export const webhookDeliverySchema = z
  .object({
    id: z.string(),
    subscriptionId: z.string(),
    eventId: z.string().meta({ description: 'The `webhook-id` header: the same for every attempt and redelivery of one event.' }),
    eventType: z.string(),
    status: z.enum(DELIVERY_STATUSES),
    attempts: z.number().int(),
    nextAttemptAt: dateTime.nullable(),
    lastStatusCode: z.number().int().nullable(),
    lastError: z.string().nullable(),
    lastDurationMs: z.number().int().nullable(),
    redeliveryOfId: z.string().nullable(),
    deliveredAt: dateTime.nullable(),
    createdAt: dateTime,
  })
  .meta({ id: 'WebhookDelivery' })

function deliveryDto(d: DeliveryRow): z.infer<typeof webhookDeliverySchema> {
  return { ...d, nextAttemptAt: iso(d.nextAttemptAt), deliveredAt: iso(d.deliveredAt), createdAt: d.createdAt.toISOString() }
}

const oneSub = { path: '/webhooks/{id}', params: z.object({ id }) }

export const listWebhooksOp = defineListOperation({
  ...read,
  operationId: 'listWebhooks',
  path: '/webhooks',
  summary: 'List the webhook subscriptions',
  query: z.strictObject({ limit, cursor }),
  item: webhookSubscriptionSchema,
  pageName: 'WebhookSubscriptionPage',
  description: 'A page of subscriptions, newest first.',
  run: async ({ ctx, query }) => {
    // An organization has at most 25 subscriptions: read whole, paged here.
    const page = decodeCursor(query.cursor, query.limit)
    const all = await listSubscriptions(ctx)
    const rows = all.slice((page - 1) * query.limit, page * query.limit)
    return { data: rows.map(subDto), nextCursor: page * query.limit < all.length ? encodeCursor(page + 1, query.limit) : null }
  },
})

export const createWebhookOp = defineOperation({
  ...write,
  operationId: 'createWebhook',
  method: 'post',
  path: '/webhooks',
  summary: 'Subscribe an endpoint to events; the answer holds the signing secret, once',
  body: webhookBodySchema.meta({ id: 'WebhookSubscriptionCreate' }),
  success: { status: 201, description: 'The subscription with its signing secret.', schema: createdSchema },
  problems: [422],
  run: async ({ ctx, body }) => {
    const { id: subId, secret } = await createSubscription(ctx, body)
    return { ...(await subOf(ctx, subId)), secret }
  },
})

export const getWebhookOp = defineOperation({
  ...read,
  ...oneSub,
  operationId: 'getWebhook',
  method: 'get',
  summary: 'Get one subscription',
  success: { status: 200, description: 'The subscription.', schema: webhookSubscriptionSchema },
  problems: [404],
  run: ({ ctx, params }) => subOf(ctx, params.id),
})

export const updateWebhookOp = defineOperation({
  ...write,
  ...oneSub,
  operationId: 'updateWebhook',
  method: 'patch',
  summary: 'Enable or disable a subscription (a disabled one receives nothing, and its queued retries fail)',
  body: z.strictObject({ enabled: z.boolean() }).meta({ id: 'WebhookSubscriptionUpdate' }),
  success: { status: 200, description: 'The subscription as changed.', schema: webhookSubscriptionSchema },
  problems: [404],
  run: async ({ ctx, params, body }) => {
    await setSubscriptionEnabled(ctx, params.id, body.enabled)
    return subOf(ctx, params.id)
  },
})

export const deleteWebhookOp = defineOperation({
  ...write,
  ...oneSub,
  operationId: 'deleteWebhook',
  method: 'delete',
  summary: 'Delete a subscription with its delivery log',
  success: { status: 200, description: 'Deleted.', schema: z.object({ id: z.string(), deleted: z.literal(true) }).meta({ id: 'WebhookDeletion' }) },
  problems: [404],
  run: async ({ ctx, params }) => ({ id: (await deleteSubscription(ctx, params.id)).id, deleted: true as const }),
})

export const listWebhookDeliveriesOp = defineListOperation({
  ...read,
  ...oneSub,
  path: '/webhooks/{id}/deliveries',
  operationId: 'listWebhookDeliveries',
  summary: 'A subscription’s delivery log, newest first',
  query: z.strictObject({ status: z.enum(DELIVERY_STATUSES).optional(), limit, cursor }),
  item: webhookDeliverySchema,
  pageName: 'WebhookDeliveryPage',
  description: 'A page of deliveries.',
  problems: [404],
  run: async ({ ctx, params, query }) => {
    const page = decodeCursor(query.cursor, query.limit)
    const r = await listDeliveries(ctx, params.id, { page, size: query.limit, status: query.status })
    return { data: r.rows.map(deliveryDto), nextCursor: page * query.limit < r.total ? encodeCursor(page + 1, query.limit) : null }
  },
})

export const redeliverWebhookOp = defineOperation({
  ...write,
  operationId: 'redeliverWebhook',
  method: 'post',
  path: '/webhook-deliveries/{id}/redeliver',
  params: z.object({ id }),
  summary: 'Send a delivery’s event again (a new delivery with the same event id and body, signed anew)',
  success: {
    status: 202,
    description: 'The new delivery, queued.',
    schema: z.object({ deliveryId: z.string() }).meta({ id: 'WebhookRedelivery' }),
  },
  problems: [404, 422],
  run: async ({ ctx, params }) => redeliver(ctx, params.id),
})
