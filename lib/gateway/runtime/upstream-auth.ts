// How the gateway authenticates to a route's upstream. The secret is read from the environment variable the route
// names (secretRef) when needed and never leaves this module except in the upstream request itself: errors say what is
// missing, never a value.
import { request } from 'undici'

export class UpstreamAuthError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message)
  }
}

export interface AuthRoute {
  id: string
  authKind: string
  authHeader: string | null
  authPrefix: string | null
  secretRef: string | null
  oauthTokenUrl: string | null
  oauthClientId: string | null
  oauthScope: string | null
  connectTimeoutMs: number
  timeoutMs: number
}

const NOT_CONFIGURED = "the route's upstream credential is not configured"
/** Refetch this long before the token's announced expiry. */
const EARLY_MS = 30_000

function secretOf(route: AuthRoute): string {
  const v = route.secretRef ? process.env[route.secretRef] : undefined
  if (!v) throw new UpstreamAuthError(502, NOT_CONFIGURED)
  return v
}

type Cached = { token: string; expiresAt: number }

export class UpstreamAuth {
  private readonly tokens = new Map<string, Cached>()
  private readonly inflight = new Map<string, Promise<Cached>>()
  /** how many times a token endpoint was called (tests and the bench read it) */
  fetches = 0

  private keyOf(r: AuthRoute) {
    return `${r.id}\u0000${r.oauthTokenUrl}\u0000${r.oauthClientId}\u0000${r.oauthScope ?? ''}\u0000${r.secretRef}`
  }

  /** The header to add upstream, or null for `none`. */
  async header(route: AuthRoute): Promise<[string, string] | null> {
    if (route.authKind === 'header') {
      const secret = secretOf(route)
      return [route.authHeader || 'authorization', `${route.authPrefix ?? ''}${secret}`]
    }
    if (route.authKind === 'oauth2_client_credentials') return ['authorization', `Bearer ${await this.accessToken(route)}`]
    return null
  }

  /** Only synchronous path: the header when it needs no fetch (none, header, a cached OAuth token). */
  headerNow(route: AuthRoute, now = Date.now()): [string, string] | null | undefined {
    if (route.authKind === 'none') return null
    if (route.authKind === 'header') return [route.authHeader || 'authorization', `${route.authPrefix ?? ''}${secretOf(route)}`]
    const c = this.tokens.get(this.keyOf(route))
    return c && c.expiresAt > now ? ['authorization', `Bearer ${c.token}`] : undefined
  }

  /** The upstream refused the cached token (401): forget it so the next call fetches a new one. */
  invalidate(route: AuthRoute, token?: string): void {
    const key = this.keyOf(route)
    const c = this.tokens.get(key)
    if (c && (!token || `Bearer ${c.token}` === token)) this.tokens.delete(key)
  }

  private accessToken(route: AuthRoute): Promise<string> {
    const key = this.keyOf(route)
    const c = this.tokens.get(key)
    if (c && c.expiresAt > Date.now()) return Promise.resolve(c.token)
    // Single flight: concurrent callers of a route wait for the same fetch.
    let p = this.inflight.get(key)
    if (!p) {
      p = this.fetchToken(route).finally(() => this.inflight.delete(key))
      this.inflight.set(key, p)
    }
    return p.then((t) => t.token)
  }

  private async fetchToken(route: AuthRoute): Promise<Cached> {
    if (!route.oauthTokenUrl || !route.oauthClientId) throw new UpstreamAuthError(502, NOT_CONFIGURED)
    const secret = secretOf(route)
    const form = new URLSearchParams({ grant_type: 'client_credentials' })
    if (route.oauthScope) form.set('scope', route.oauthScope)
    // client_secret_basic (RFC 6749 §2.3.1: the method every server supports), both parts form-encoded first.
    const basic = Buffer.from(`${encodeURIComponent(route.oauthClientId)}:${encodeURIComponent(secret)}`).toString('base64')
    this.fetches++
    let res
    try {
      res = await request(route.oauthTokenUrl, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json', authorization: `Basic ${basic}` },
        body: form.toString(),
        headersTimeout: route.timeoutMs,
        bodyTimeout: route.timeoutMs,
      })
    } catch {
      throw new UpstreamAuthError(502, "the route's token endpoint could not be reached")
    }
    const text = await res.body.text().catch(() => '')
    if (res.statusCode !== 200) throw new UpstreamAuthError(502, `the route's token endpoint refused the gateway's client credentials (HTTP ${res.statusCode})`)
    let body: { access_token?: unknown; expires_in?: unknown }
    try {
      body = JSON.parse(text)
    } catch {
      throw new UpstreamAuthError(502, "the route's token endpoint answered without a token")
    }
    if (typeof body.access_token !== 'string' || !body.access_token) throw new UpstreamAuthError(502, "the route's token endpoint answered without a token")
    const expiresIn = typeof body.expires_in === 'number' && body.expires_in > 0 ? body.expires_in * 1000 : 300_000
    const cached = { token: body.access_token, expiresAt: Date.now() + Math.max(expiresIn - EARLY_MS, expiresIn / 2) }
    this.tokens.set(this.keyOf(route), cached)
    return cached
  }
}
