import 'server-only'
import { z } from 'zod'
import { unseal } from '@/lib/crypto/seal'
import { db } from '@/lib/db'
import { env } from '@/lib/env'
import { defineJob, defineScheduler, PermanentJobError, recordId } from '@/lib/jobs/define'
import { enqueueJob } from '@/lib/jobs/queue'
import { attemptDelivery } from '@/lib/webhooks/deliver'
import { WEBHOOK_MAX_ATTEMPTS, webhookBackoffMs } from '@/lib/webhooks/schemas'

/**
 * One attempt of one delivery. A failed attempt schedules the next one as its own job (key names the attempt) at the
 * delivery's `nextAttemptAt`, so the log shows exactly when it will be tried again; after WEBHOOK_MAX_ATTEMPTS the
 * delivery is failed. The job's own retries (maxAttempts) only cover a worker that died mid-attempt.
 */
export const deliverWebhookJob = defineJob({
  type: 'deliver_webhook',
  lane: 'background',
  payload: z.object({ deliveryId: recordId, attempt: z.number().int().min(1).max(WEBHOOK_MAX_ATTEMPTS) }),
  key: (p, { orgId }) => `deliver_webhook:${orgId}:${p.deliveryId}:${p.attempt}`,
  maxAttempts: 3,
  run: async ({ ctx, payload }) => {
    const d = await db.webhookDelivery.findFirst({
      where: { id: payload.deliveryId, orgId: ctx.org.id },
      select: {
        id: true,
        status: true,
        attempts: true,
        eventId: true,
        payload: true,
        subscription: { select: { id: true, url: true, enabled: true, secretSealed: true } },
      },
    })
    // Deleted with its subscription, or already settled (a redelivery is a new delivery): nothing to do.
    if (!d || d.status !== 'pending' || d.attempts >= payload.attempt) return { skipped: d ? d.status : 'gone' }
    const fail = async (error: string) => {
      await db.webhookDelivery.updateMany({
        where: { id: d.id, orgId: ctx.org.id, status: 'pending' },
        data: { status: 'failed', attempts: payload.attempt, lastError: error, nextAttemptAt: null },
      })
      return { status: 'failed', error }
    }
    if (!d.subscription.enabled) return fail('The subscription was disabled before this attempt.')
    const secret = unseal(d.subscription.secretSealed, 'webhook-secret')
    if (!secret) {
      const why = 'The subscription’s secret cannot be opened (was CUSTODIAN_ENCRYPTION_KEY changed?): delete it and subscribe again.'
      await fail(why)
      throw new PermanentJobError(why)
    }
    const r = await attemptDelivery(d.subscription.url, secret, d.eventId, d.payload, { allowPrivate: env().webhooksAllowPrivate })
    const last = { attempts: payload.attempt, lastStatusCode: r.statusCode, lastError: r.error, lastDurationMs: r.durationMs }
    if (r.ok) {
      await db.webhookDelivery.updateMany({
        where: { id: d.id, orgId: ctx.org.id },
        data: { ...last, status: 'delivered', deliveredAt: new Date(), nextAttemptAt: null },
      })
      return { status: 'delivered', statusCode: r.statusCode }
    }
    if (!r.retryable || payload.attempt >= WEBHOOK_MAX_ATTEMPTS) {
      await db.webhookDelivery.updateMany({ where: { id: d.id, orgId: ctx.org.id }, data: { ...last, status: 'failed', nextAttemptAt: null } })
      return { status: 'failed', statusCode: r.statusCode, error: r.error }
    }
    const nextAttemptAt = new Date(Date.now() + webhookBackoffMs(payload.attempt))
    await db.$transaction(async (tx) => {
      await tx.webhookDelivery.updateMany({ where: { id: d.id, orgId: ctx.org.id }, data: { ...last, nextAttemptAt } })
      await enqueueJob(tx, deliverWebhookJob, { deliveryId: d.id, attempt: payload.attempt + 1 }, { orgId: ctx.org.id, runAt: nextAttemptAt })
    })
    return { status: 'retrying', statusCode: r.statusCode, error: r.error, nextAttemptAt: nextAttemptAt.toISOString() }
  },
})

/** How long the delivery log keeps a settled delivery. */
export const WEBHOOK_DELIVERY_RETENTION_DAYS = 30

/** Deletes settled deliveries older than the retention (an indexed delete, every minute); pending ones are kept. */
export const webhookDeliveriesCleanupScheduler = defineScheduler({
  name: 'webhook-deliveries-cleanup',
  run: async (now) => {
    // Across organizations on purpose: the same retention for everyone, nothing read.
    await db.webhookDelivery.deleteMany({
      where: { createdAt: { lt: new Date(now.getTime() - WEBHOOK_DELIVERY_RETENTION_DAYS * 86_400_000) }, status: { not: 'pending' } },
    })
  },
})
