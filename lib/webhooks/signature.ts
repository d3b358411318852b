import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto'

// The Standard Webhooks scheme (standardwebhooks.com), as Svix and others send it:
//   webhook-id:        the event's id (the same on every attempt: deduplicate on it)
//   webhook-timestamp: seconds since the epoch when this attempt was signed (refuse old ones: replay protection)
//   webhook-signature: `v1,<base64 HMAC-SHA256 of "<id>.<timestamp>.<body>">` under the secret's bytes
// The secret is `whsec_` + base64 of 24 random bytes; the HMAC key is those bytes.

export const SECRET_PREFIX = 'whsec_'

export function newWebhookSecret(): string {
  return SECRET_PREFIX + randomBytes(24).toString('base64')
}

function keyOf(secret: string): Buffer {
  return Buffer.from(secret.startsWith(SECRET_PREFIX) ? secret.slice(SECRET_PREFIX.length) : secret, 'base64')
}

export function signWebhook(secret: string, id: string, timestamp: number, body: string): string {
  return 'v1,' + createHmac('sha256', keyOf(secret)).update(`${id}.${timestamp}.${body}`).digest('base64')
}

export type SignatureHeaders = { 'webhook-id': string; 'webhook-timestamp': string; 'webhook-signature': string }

export function webhookHeaders(secret: string, id: string, body: string, now = new Date()): SignatureHeaders {
  const ts = Math.floor(now.getTime() / 1000)
  return { 'webhook-id': id, 'webhook-timestamp': String(ts), 'webhook-signature': signWebhook(secret, id, ts, body) }
}

/**
 * What a receiver does: true when one of the signatures (space-separated, `v1,…`) matches and the timestamp is within
 * `toleranceSeconds` of now. Compares in constant time.
 */
export function verifyWebhook(
  secret: string,
  headers: { id: string | null | undefined; timestamp: string | null | undefined; signature: string | null | undefined },
  body: string,
  opts: { now?: Date; toleranceSeconds?: number } = {},
): boolean {
  const { id, timestamp, signature } = headers
  if (!id || !timestamp || !signature || !/^\d{1,12}$/.test(timestamp)) return false
  const ts = Number(timestamp)
  const now = Math.floor((opts.now ?? new Date()).getTime() / 1000)
  if (Math.abs(now - ts) > (opts.toleranceSeconds ?? 300)) return false
  const expected = Buffer.from(signWebhook(secret, id, ts, body))
  return signature.split(' ').some((s) => {
    const got = Buffer.from(s)
    return got.length === expected.length && timingSafeEqual(got, expected)
  })
}
