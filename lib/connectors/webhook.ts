import 'server-only'
import { createHmac } from 'node:crypto'

/** `sha256=<hex>` HMAC of the raw body, the value of the X-Custodian-Signature header. */
export function signBody(secret: string, rawBody: string): string {
  return `sha256=${createHmac('sha256', secret).update(rawBody, 'utf8').digest('hex')}`
}

/** localhost, 127.0.0.0/8 and ::1: the only places a plain-http webhook may go. */
export function isLoopback(hostname: string): boolean {
  const h = hostname.replace(/^\[|\]$/g, '').toLowerCase()
  return h === 'localhost' || h.endsWith('.localhost') || h === '::1' || /^127(\.\d{1,3}){3}$/.test(h)
}

export type WebhookTarget = { url: string; secret: string; timeoutMs?: number }

/**
 * Posts a JSON event to the customer's automation, signed so it can tell the request came from Custodian.
 * Throws on a non-2xx answer or no answer (the job retries). The error never contains the body or the secret.
 */
export async function postWebhook(target: WebhookTarget, event: Record<string, unknown>): Promise<{ status: number }> {
  let url: URL
  try {
    url = new URL(target.url)
  } catch {
    throw new Error('The webhook URL in the source configuration is not a valid URL.')
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new Error('The webhook URL must be https.')
  // Events can carry rotated secrets: never in clear over the network. Plain http only to this machine.
  if (url.protocol === 'http:' && !isLoopback(url.hostname)) {
    // permanent: retrying cannot fix a configuration, the job fails at once with this message
    throw Object.assign(new Error(`The webhook URL must use https (http is allowed only for localhost): ${url.host} was refused.`), { permanent: true })
  }
  const body = JSON.stringify(event)
  let res: Response
  try {
    res = await fetch(url, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'user-agent': 'Custodian-Webhook/1',
        'x-custodian-event': String(event.type ?? 'event'),
        'x-custodian-delivery': String(event.id ?? ''),
        'x-custodian-signature': signBody(target.secret, body),
      },
      body,
      redirect: 'error',
      signal: AbortSignal.timeout(target.timeoutMs ?? 10_000),
    })
  } catch (err) {
    throw new Error(`The webhook at ${url.host} did not answer: ${(err as Error).name === 'TimeoutError' ? 'timed out' : (err as Error).message}`)
  }
  if (!res.ok) throw new Error(`The webhook at ${url.host} answered HTTP ${res.status}.`)
  return { status: res.status }
}
