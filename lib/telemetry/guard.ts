import { createHash, timingSafeEqual } from 'node:crypto'

export type MetricsAccess = 'ok' | 'off' | 'missing' | 'wrong'

const digest = (s: string) => createHash('sha256').update(s, 'utf8').digest()

/**
 * Whether `Authorization: Bearer <token>` carries the metrics token. Compared in constant time on SHA-256 digests, so
 * neither the token's characters nor its length leak through the time the answer takes. No token configured: off.
 */
export function metricsAccess(header: string | null | undefined, expected: string | null | undefined): MetricsAccess {
  if (!expected) return 'off'
  const m = /^Bearer[ ]+(\S+)\s*$/i.exec(header?.trim() ?? '')
  if (!m) return 'missing'
  return timingSafeEqual(digest(m[1]), digest(expected)) ? 'ok' : 'wrong'
}

/** The problem+json answer for a refused scrape (RFC 9457), or null when the scrape may go ahead. */
export function metricsRefusal(access: MetricsAccess, instance: string): { status: number; headers: Record<string, string>; body: string } | null {
  if (access === 'ok') return null
  const [status, title, detail] =
    access === 'off'
      ? [404, 'Not found', 'The metrics endpoint is off: set METRICS_TOKEN (at least 16 characters) to turn it on, then scrape with that bearer token.']
      : access === 'missing'
        ? [401, 'Unauthorized', 'Send the metrics token: `Authorization: Bearer <METRICS_TOKEN>`.']
        : [401, 'Unauthorized', 'The metrics token is wrong.']
  const headers: Record<string, string> = { 'content-type': 'application/problem+json', 'cache-control': 'no-store' }
  if (status === 401) headers['www-authenticate'] = `Bearer realm="custodian-metrics"${access === 'wrong' ? ', error="invalid_token"' : ''}`
  return { status, headers, body: JSON.stringify({ type: 'about:blank', title, status, detail, instance }) }
}
