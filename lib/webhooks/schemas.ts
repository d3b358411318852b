import { z } from 'zod'

/** The events an organization's webhooks may subscribe to (the `type` of each delivered body). */
export const WEBHOOK_EVENTS = [
  'identity.created',
  'identity.deleted',
  'finding.opened',
  'finding.resolved',
  'decision.made',
  'remediation.applied',
  'remediation.failed',
  'campaign.launched',
  'campaign.closed',
  'token.leaked',
  'credential.leaked',
] as const
export type WebhookEvent = (typeof WEBHOOK_EVENTS)[number]
/** What a "send test event" delivers: not subscribable, sent to one subscription whatever its events. */
export const WEBHOOK_TEST_EVENT = 'webhook.test'

export const WEBHOOK_EVENT_LABELS: Record<WebhookEvent, string> = {
  'identity.created': 'An identity was created',
  'identity.deleted': 'An identity was deleted',
  'finding.opened': 'A finding was opened',
  'finding.resolved': 'A finding was resolved',
  'decision.made': 'A reviewer made a decision',
  'remediation.applied': 'A remediation was applied',
  'remediation.failed': 'A remediation failed',
  'campaign.launched': 'A campaign was launched',
  'campaign.closed': 'A campaign was closed',
  'token.leaked': 'A leaked token was reported',
  'credential.leaked': 'A governed credential’s secret was reported leaked',
}

export const DELIVERY_STATUSES = ['pending', 'delivered', 'failed'] as const
export type DeliveryStatus = (typeof DELIVERY_STATUSES)[number]

/** Attempts per delivery before it fails for good (the first one included). */
export const WEBHOOK_MAX_ATTEMPTS = 6
/** How long one attempt may take, connect to last byte. */
export const WEBHOOK_TIMEOUT_MS = 10_000

/** The wait before attempt `attempt + 1` after `attempt` failed: 30 s, 2 min, 8 min, 32 min, 2 h 8 min (±20 % jitter). */
export function webhookBackoffMs(attempt: number, random: () => number = Math.random): number {
  const base = 30_000 * 4 ** Math.max(0, attempt - 1)
  return Math.round(Math.min(base, 6 * 3_600_000) * (0.8 + 0.4 * random()))
}

const orgSlug = z.string().min(1).max(64)
const recordId = z.string().regex(/^[a-z0-9_-]{1,40}$/i, 'Unknown record.')

export const webhookUrlSchema = z
  .string()
  .trim()
  .min(1, 'Enter the URL that receives the events.')
  .max(2000)
  .refine((v) => {
    try {
      const u = new URL(v)
      return (u.protocol === 'https:' || u.protocol === 'http:') && !!u.hostname && !u.username && !u.password
    } catch {
      return false
    }
  }, 'Enter an http:// or https:// URL without a user name or password in it.')

export const webhookBodySchema = z.strictObject({
  url: webhookUrlSchema,
  events: z.array(z.enum(WEBHOOK_EVENTS)).min(1, 'Choose at least one event.').max(WEBHOOK_EVENTS.length),
  description: z.string().trim().max(200).optional(),
})
export type WebhookBody = z.infer<typeof webhookBodySchema>

export const createWebhookSchema = webhookBodySchema.extend({ orgSlug })
export const webhookRefSchema = z.object({ orgSlug, subscriptionId: recordId })
export const setWebhookEnabledSchema = webhookRefSchema.extend({ enabled: z.boolean() })
export const redeliverSchema = z.object({ orgSlug, deliveryId: recordId })
