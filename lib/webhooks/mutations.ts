import 'server-only'
import { auditTarget, recordAudit } from '@/lib/audit/record'
import { assertCan, type Ctx } from '@/lib/auth/org-context'
import { seal } from '@/lib/crypto/seal'
import { db, type Tx } from '@/lib/db'
import { env } from '@/lib/env'
import { mapPrismaError, NotFoundError, ValidationError } from '@/lib/errors'
import { webhookUrlProblem } from '@/lib/webhooks/address'
import { eventBody, newEventId, queueDelivery } from '@/lib/webhooks/emit'
import { WEBHOOK_EVENTS, WEBHOOK_TEST_EVENT, type WebhookBody } from '@/lib/webhooks/schemas'
import { newWebhookSecret } from '@/lib/webhooks/signature'

/** At most this many subscriptions per organization: each event is one delivery per subscription. */
export const MAX_SUBSCRIPTIONS = 25

async function run<T>(fn: (tx: Tx) => Promise<T>): Promise<T> {
  try {
    return await db.$transaction(fn)
  } catch (err) {
    throw mapPrismaError(err)
  }
}

function hostOf(url: string) {
  try {
    return new URL(url).host
  } catch {
    return url
  }
}

async function subscriptionOrThrow(tx: Tx, ctx: Ctx, subscriptionId: string) {
  const s = await tx.webhookSubscription.findFirst({ where: { id: subscriptionId, orgId: ctx.org.id }, select: { id: true, url: true, enabled: true } })
  if (!s) throw new NotFoundError('Webhook subscription not found')
  return s
}

/** Creates a subscription; the signing secret is returned here once and kept only sealed. */
export async function createSubscription(ctx: Ctx, input: WebhookBody) {
  assertCan(ctx, 'webhook:manage')
  const refused = webhookUrlProblem(input.url, env().webhooksAllowPrivate)
  if (refused) throw new ValidationError(refused, { url: [refused] })
  const events = WEBHOOK_EVENTS.filter((e) => input.events.includes(e))
  const secret = newWebhookSecret()
  return run(async (tx) => {
    if ((await tx.webhookSubscription.count({ where: { orgId: ctx.org.id } })) >= MAX_SUBSCRIPTIONS)
      throw new ValidationError(`An organization may have at most ${MAX_SUBSCRIPTIONS} webhook subscriptions: delete one first.`)
    const s = await tx.webhookSubscription.create({
      data: {
        orgId: ctx.org.id,
        url: input.url,
        description: input.description || null,
        events: JSON.stringify(events),
        secretSealed: seal(secret, 'webhook-secret'),
        secretPrefix: secret.slice(0, 10),
        createdById: ctx.actor.type === 'user' ? ctx.actor.id : null,
      },
      select: { id: true, url: true, createdAt: true },
    })
    // The secret stays out of the audit row; its first characters tell it apart.
    await recordAudit(tx, ctx, {
      action: 'webhook.create',
      ...auditTarget('webhook', { id: s.id, name: hostOf(s.url) }),
      details: { url: s.url, events, secretPrefix: secret.slice(0, 10) },
    })
    return { id: s.id, secret }
  })
}

export async function setSubscriptionEnabled(ctx: Ctx, subscriptionId: string, enabled: boolean) {
  assertCan(ctx, 'webhook:manage')
  return run(async (tx) => {
    const s = await subscriptionOrThrow(tx, ctx, subscriptionId)
    if (s.enabled === enabled) return { id: s.id, changed: false }
    await tx.webhookSubscription.update({ where: { id: s.id, orgId: ctx.org.id }, data: { enabled } })
    await recordAudit(tx, ctx, { action: enabled ? 'webhook.enable' : 'webhook.disable', ...auditTarget('webhook', { id: s.id, name: hostOf(s.url) }) })
    return { id: s.id, changed: true }
  })
}

/** Deletes a subscription with its delivery log; attempts still queued find nothing and stop. */
export async function deleteSubscription(ctx: Ctx, subscriptionId: string) {
  assertCan(ctx, 'webhook:manage')
  return run(async (tx) => {
    const s = await subscriptionOrThrow(tx, ctx, subscriptionId)
    const deliveries = await tx.webhookDelivery.count({ where: { orgId: ctx.org.id, subscriptionId: s.id } })
    await tx.webhookSubscription.delete({ where: { id: s.id, orgId: ctx.org.id } })
    await recordAudit(tx, ctx, { action: 'webhook.delete', ...auditTarget('webhook', { id: s.id, name: hostOf(s.url) }), details: { url: s.url, deliveries } })
    return { id: s.id }
  })
}

/** Sends a `webhook.test` event to one subscription (whatever events it chose), through the same delivery path. */
export async function sendTestEvent(ctx: Ctx, subscriptionId: string) {
  assertCan(ctx, 'webhook:manage')
  return run(async (tx) => {
    const s = await subscriptionOrThrow(tx, ctx, subscriptionId)
    if (!s.enabled) throw new ValidationError('This subscription is disabled: enable it to send a test event.')
    const eventId = newEventId()
    const payload = eventBody(eventId, WEBHOOK_TEST_EVENT, ctx.org.id, { message: 'A test event sent from Custodian.', subscriptionId: s.id })
    const d = await queueDelivery(tx, ctx.org.id, s.id, { eventId, eventType: WEBHOOK_TEST_EVENT, payload })
    await recordAudit(tx, ctx, { action: 'webhook.test', ...auditTarget('webhook', { id: s.id, name: hostOf(s.url) }), details: { deliveryId: d.id } })
    return { deliveryId: d.id }
  })
}

/** Sends a delivery's event again as a new delivery (same event id and body, fresh attempts and signature). */
export async function redeliver(ctx: Ctx, deliveryId: string) {
  assertCan(ctx, 'webhook:manage')
  return run(async (tx) => {
    const d = await tx.webhookDelivery.findFirst({
      where: { id: deliveryId, orgId: ctx.org.id },
      select: { id: true, eventId: true, eventType: true, payload: true, subscription: { select: { id: true, url: true, enabled: true } } },
    })
    if (!d) throw new NotFoundError('Webhook delivery not found')
    if (!d.subscription.enabled) throw new ValidationError('This subscription is disabled: enable it to redeliver.')
    const again = await queueDelivery(tx, ctx.org.id, d.subscription.id, {
      eventId: d.eventId,
      eventType: d.eventType,
      payload: d.payload,
      redeliveryOfId: d.id,
    })
    await recordAudit(tx, ctx, {
      action: 'webhook.redeliver',
      ...auditTarget('webhook', { id: d.subscription.id, name: hostOf(d.subscription.url) }),
      details: { deliveryId: d.id, newDeliveryId: again.id, eventType: d.eventType, eventId: d.eventId },
    })
    return { deliveryId: again.id }
  })
}
