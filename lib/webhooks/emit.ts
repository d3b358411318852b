import 'server-only'
import { randomBytes } from 'node:crypto'
import type { Tx } from '@/lib/db'
import { jobRow } from '@/lib/jobs/define'
import { enqueueJob } from '@/lib/jobs/queue'
import { stringsOf } from '@/lib/json'
import { deliverWebhookJob } from '@/lib/webhooks/jobs'
import { WEBHOOK_TEST_EVENT, type WebhookEvent } from '@/lib/webhooks/schemas'

export type EventData = Record<string, unknown>

function newDeliveryId() {
  return `whd${Date.now().toString(36)}${randomBytes(8).toString('hex')}`
}

export function newEventId() {
  return `evt_${Date.now().toString(36)}${randomBytes(10).toString('hex')}`
}

/** The JSON body every webhook receives: the event's id and type, when it happened, the organization, and its data. */
export function eventBody(id: string, type: WebhookEvent | typeof WEBHOOK_TEST_EVENT, orgId: string, data: EventData, at = new Date()) {
  return JSON.stringify({ id, type, createdAt: at.toISOString(), orgId, data })
}

/** Writes one delivery (the outbox row) for a subscription and queues its first attempt, in the caller's transaction. */
export async function queueDelivery(
  tx: Tx,
  orgId: string,
  subscriptionId: string,
  e: { eventId: string; eventType: string; payload: string; redeliveryOfId?: string },
) {
  const delivery = await tx.webhookDelivery.create({
    data: {
      orgId,
      subscriptionId,
      eventId: e.eventId,
      eventType: e.eventType,
      payload: e.payload,
      redeliveryOfId: e.redeliveryOfId ?? null,
      nextAttemptAt: new Date(),
    },
    select: { id: true },
  })
  await enqueueJob(tx, deliverWebhookJob, { deliveryId: delivery.id, attempt: 1 }, { orgId })
  return delivery
}

/**
 * Emits events of one type in the transaction that makes the change: one delivery per event and per enabled
 * subscription to that type, delivered by the worker after the transaction commits (and never if it rolls back).
 * An organization without subscriptions pays one indexed lookup (WebhookSubscription by orgId, enabled).
 */
export async function emitEvents(tx: Tx, orgId: string, type: WebhookEvent, events: readonly EventData[]): Promise<number> {
  if (!events.length) return 0
  const subs = await tx.webhookSubscription.findMany({ where: { orgId, enabled: true }, select: { id: true, events: true } })
  const targets = subs.filter((s) => stringsOf(s.events).includes(type))
  if (!targets.length) return 0
  const at = new Date()
  const deliveries: { id: string; orgId: string; subscriptionId: string; eventId: string; eventType: string; payload: string; nextAttemptAt: Date }[] = []
  for (const data of events) {
    const eventId = newEventId()
    const payload = eventBody(eventId, type, orgId, data, at)
    for (const s of targets) deliveries.push({ id: newDeliveryId(), orgId, subscriptionId: s.id, eventId, eventType: type, payload, nextAttemptAt: at })
  }
  // Many rows at once (a bulk decision, a campaign's close): one insert of deliveries and one of their jobs per chunk.
  for (let i = 0; i < deliveries.length; i += 500) {
    const chunk = deliveries.slice(i, i + 500)
    await tx.webhookDelivery.createMany({ data: chunk })
    await tx.job.createMany({ data: chunk.map((d) => jobRow(deliverWebhookJob, { deliveryId: d.id, attempt: 1 }, { orgId, runAt: at })) })
  }
  return deliveries.length
}

/** Whether any enabled subscription of the organization listens to one of these types (one indexed lookup). */
export async function subscribedTo(tx: Tx, orgId: string, types: readonly WebhookEvent[]): Promise<boolean> {
  const subs = await tx.webhookSubscription.findMany({ where: { orgId, enabled: true }, select: { events: true } })
  return subs.some((s) => stringsOf(s.events).some((e) => (types as readonly string[]).includes(e)))
}

export function emitEvent(tx: Tx, orgId: string, type: WebhookEvent, data: EventData): Promise<number> {
  return emitEvents(tx, orgId, type, [data])
}
