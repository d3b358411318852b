import 'server-only'
import { assertCan, type Ctx } from '@/lib/auth/org-context'
import { db } from '@/lib/db'
import { NotFoundError } from '@/lib/errors'
import { stringsOf } from '@/lib/json'
import { WEBHOOK_EVENTS, type DeliveryStatus, type WebhookEvent } from '@/lib/webhooks/schemas'

export type SubscriptionRow = {
  id: string
  url: string
  description: string | null
  events: WebhookEvent[]
  secretPrefix: string
  enabled: boolean
  createdAt: Date
  updatedAt: Date
  deliveries: { total: number; failed: number; pending: number; lastAt: Date | null }
}

const subSelect = { id: true, url: true, description: true, events: true, secretPrefix: true, enabled: true, createdAt: true, updatedAt: true } as const

function eventsOf(json: string): WebhookEvent[] {
  return stringsOf(json).filter((e): e is WebhookEvent => (WEBHOOK_EVENTS as readonly string[]).includes(e))
}

/** The organization's subscriptions (tens at most), newest first, with their deliveries counted. */
export async function listSubscriptions(ctx: Ctx): Promise<SubscriptionRow[]> {
  assertCan(ctx, 'webhook:read')
  const subs = await db.webhookSubscription.findMany({ where: { orgId: ctx.org.id }, select: subSelect, orderBy: [{ createdAt: 'desc' }, { id: 'asc' }] })
  if (!subs.length) return []
  const counts = await db.webhookDelivery.groupBy({
    by: ['subscriptionId', 'status'],
    where: { orgId: ctx.org.id },
    _count: { _all: true },
    _max: { createdAt: true },
  })
  return subs.map((s) => {
    const mine = counts.filter((c) => c.subscriptionId === s.id)
    const n = (status: DeliveryStatus) => mine.find((c) => c.status === status)?._count._all ?? 0
    const last = mine.reduce<Date | null>((m, c) => (c._max.createdAt && (!m || c._max.createdAt > m) ? c._max.createdAt : m), null)
    return {
      ...s,
      events: eventsOf(s.events),
      deliveries: { total: mine.reduce((t, c) => t + c._count._all, 0), failed: n('failed'), pending: n('pending'), lastAt: last },
    }
  })
}

export async function getSubscription(ctx: Ctx, subscriptionId: string) {
  assertCan(ctx, 'webhook:read')
  // Another organization's subscription is indistinguishable from one that does not exist.
  const s = await db.webhookSubscription.findFirst({ where: { id: subscriptionId, orgId: ctx.org.id }, select: subSelect })
  if (!s) throw new NotFoundError('Webhook subscription not found')
  return { ...s, events: eventsOf(s.events) }
}

export type DeliveryRow = {
  id: string
  subscriptionId: string
  eventId: string
  eventType: string
  status: DeliveryStatus
  attempts: number
  nextAttemptAt: Date | null
  lastStatusCode: number | null
  lastError: string | null
  lastDurationMs: number | null
  redeliveryOfId: string | null
  deliveredAt: Date | null
  createdAt: Date
}

/** A subscription's deliveries, newest first, one page (offset paging; the log is read a page at a time). */
export async function listDeliveries(ctx: Ctx, subscriptionId: string, opts: { page?: number; size?: number; status?: DeliveryStatus } = {}) {
  await getSubscription(ctx, subscriptionId)
  const size = Math.min(Math.max(opts.size ?? 25, 1), 200)
  const page = Math.max(opts.page ?? 1, 1)
  const where = { orgId: ctx.org.id, subscriptionId, ...(opts.status ? { status: opts.status } : {}) }
  const [rows, total] = await Promise.all([
    db.webhookDelivery.findMany({
      where,
      select: {
        id: true,
        subscriptionId: true,
        eventId: true,
        eventType: true,
        status: true,
        attempts: true,
        nextAttemptAt: true,
        lastStatusCode: true,
        lastError: true,
        lastDurationMs: true,
        redeliveryOfId: true,
        deliveredAt: true,
        createdAt: true,
      },
      orderBy: [{ createdAt: 'desc' }, { id: 'desc' }],
      skip: (page - 1) * size,
      take: size,
    }),
    db.webhookDelivery.count({ where }),
  ])
  return { rows: rows as DeliveryRow[], total, page, size }
}

/** The body a delivery sends (for the log's detail view): the event, never a secret. */
export async function getDeliveryPayload(ctx: Ctx, deliveryId: string) {
  assertCan(ctx, 'webhook:read')
  const d = await db.webhookDelivery.findFirst({ where: { id: deliveryId, orgId: ctx.org.id }, select: { id: true, payload: true } })
  if (!d) throw new NotFoundError('Webhook delivery not found')
  return d
}
