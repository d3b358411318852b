'use server'
import { orgAction } from '@/lib/action'
import { createSubscription, deleteSubscription, redeliver, sendTestEvent, setSubscriptionEnabled } from '@/lib/webhooks/mutations'
import { createWebhookSchema, redeliverSchema, setWebhookEnabledSchema, webhookRefSchema } from '@/lib/webhooks/schemas'

// No revalidation: the one-time secret's dialog would be remounted by a re-render (the page refreshes when it closes).
export const createWebhookAction = orgAction({
  schema: createWebhookSchema,
  permission: 'webhook:manage',
  run: async ({ ctx, input }) => {
    const { orgSlug: _, ...body } = input
    return createSubscription(ctx, body)
  },
})

export const setWebhookEnabledAction = orgAction({
  schema: setWebhookEnabledSchema,
  permission: 'webhook:manage',
  revalidate: '/settings/webhooks',
  run: async ({ ctx, input }) => setSubscriptionEnabled(ctx, input.subscriptionId, input.enabled),
})

export const deleteWebhookAction = orgAction({
  schema: webhookRefSchema,
  permission: 'webhook:manage',
  revalidate: '/settings/webhooks',
  run: async ({ ctx, input }) => deleteSubscription(ctx, input.subscriptionId),
})

export const sendTestWebhookAction = orgAction({
  schema: webhookRefSchema,
  permission: 'webhook:manage',
  revalidate: '/settings/webhooks',
  run: async ({ ctx, input }) => sendTestEvent(ctx, input.subscriptionId),
})

export const redeliverWebhookAction = orgAction({
  schema: redeliverSchema,
  permission: 'webhook:manage',
  revalidate: '/settings/webhooks',
  run: async ({ ctx, input }) => redeliver(ctx, input.deliveryId),
})
