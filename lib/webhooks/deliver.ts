import 'server-only'
import { lookup as dnsLookup, type LookupAddress } from 'node:dns'
import type { LookupFunction } from 'node:net'
import { Agent, request } from 'undici'
import { isPrivateAddress, webhookUrlProblem } from '@/lib/webhooks/address'
import { WEBHOOK_TIMEOUT_MS } from '@/lib/webhooks/schemas'
import { webhookHeaders } from '@/lib/webhooks/signature'

export type AttemptResult = { ok: boolean; statusCode: number | null; durationMs: number; error: string | null; retryable: boolean }

// Checks every address the name resolves to at connect time, so a name that resolves to a public address when the
// subscription is saved and to 169.254.169.254 later (DNS rebinding) is still refused.
export const guardedLookup: LookupFunction = (hostname, options, callback) => {
  dnsLookup(hostname, { ...options, all: true }, (err, addresses) => {
    if (err) return callback(err, '', 4)
    const list = addresses as unknown as LookupAddress[]
    const bad = list.find((a) => isPrivateAddress(a.address))
    if (bad) return callback(Object.assign(new Error(`${hostname} resolves to a private address (${bad.address}).`), { code: 'EWEBHOOKPRIVATE' }), '', 4)
    if ((options as { all?: boolean }).all) return (callback as unknown as (e: null, a: LookupAddress[]) => void)(null, list)
    callback(null, list[0].address, list[0].family)
  })
}

let guarded: Agent | null = null
let open: Agent | null = null
function agent(allowPrivate: boolean) {
  if (allowPrivate) return (open ??= new Agent({ connect: { timeout: WEBHOOK_TIMEOUT_MS }, keepAliveTimeout: 4_000 }))
  return (guarded ??= new Agent({ connect: { timeout: WEBHOOK_TIMEOUT_MS, lookup: guardedLookup }, keepAliveTimeout: 4_000 }))
}

/** One signed POST; never throws. A refused URL is not retryable (it will not become acceptable by waiting). */
export async function attemptDelivery(
  url: string,
  secret: string,
  eventId: string,
  body: string,
  opts: { allowPrivate: boolean; now?: Date },
): Promise<AttemptResult> {
  const started = performance.now()
  const took = () => Math.round(performance.now() - started)
  const refused = webhookUrlProblem(url, opts.allowPrivate)
  if (refused) return { ok: false, statusCode: null, durationMs: 0, error: refused, retryable: false }
  try {
    const res = await request(url, {
      method: 'POST',
      dispatcher: agent(opts.allowPrivate),
      headers: { 'content-type': 'application/json', 'user-agent': 'Custodian-Webhooks/1', ...webhookHeaders(secret, eventId, body, opts.now) },
      body,
      signal: AbortSignal.timeout(WEBHOOK_TIMEOUT_MS),
      headersTimeout: WEBHOOK_TIMEOUT_MS,
      bodyTimeout: WEBHOOK_TIMEOUT_MS,
    })
    // The receiver's answer is not kept: read and dropped (a receiver cannot make Custodian store what it sends).
    await res.body.dump({ limit: 64 * 1024 }).catch(() => undefined)
    const ok = res.statusCode >= 200 && res.statusCode < 300
    return { ok, statusCode: res.statusCode, durationMs: took(), error: ok ? null : `The receiver answered ${res.statusCode}.`, retryable: !ok }
  } catch (err) {
    const e = err as Error & { code?: string; cause?: { code?: string; message?: string } }
    const code = e.code ?? e.cause?.code
    if (code === 'EWEBHOOKPRIVATE' || e.cause?.code === 'EWEBHOOKPRIVATE')
      return { ok: false, statusCode: null, durationMs: took(), error: (e.cause?.message ?? e.message).slice(0, 500), retryable: false }
    const timedOut = e.name === 'TimeoutError' || e.name === 'AbortError' || /timeout/i.test(code ?? '')
    const message = timedOut ? `No answer within ${WEBHOOK_TIMEOUT_MS / 1000} s.` : `${code ? `${code}: ` : ''}${e.cause?.message ?? e.message}`
    return { ok: false, statusCode: null, durationMs: took(), error: message.slice(0, 500), retryable: true }
  }
}
