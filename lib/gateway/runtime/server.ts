// The access gateway: a reverse proxy on Node's http server. A call carries a Custodian gateway token; the gateway
// finds its organization's route by the longest path prefix, asks the organization's Cedar policy set whether the
// token's identity may call that method and path, applies the per-identity rate limit, adds the upstream credential and
// streams the request and the response through undici (one keep-alive Pool per upstream origin). Every call is recorded
// in memory and written in batches (recorder.ts). Once caches are warm a request touches no database.
//
// Caches and revocation: everything learned about an organization (routes, policy set, identities, decisions, tokens)
// hangs off one OrgState; a change signal for the organization (changes.ts) replaces it, so the next request reloads.
// The organization's Cedar policies (lib/policies, action gateway_call) are asked after the route's rules allow, with
// the compiled set loaded with the OrgState (so a saved policy reaches every process by the same change signal: a
// trigger on OrgPolicy) and its decisions cached per request shape; an organization without policies costs nothing.
//
// Fail closed: when the database has not answered for GATEWAY_STALE_SECONDS (default 30), every call is refused with 503;
// until then cached decisions keep being served, and a call that needs the database gets 503 at once.
import { randomUUID, type KeyObject } from 'node:crypto'
import http from 'node:http'
import type { AddressInfo } from 'node:net'
import { Transform } from 'node:stream'
import { Pool, errors as undiciErrors } from 'undici'
import { hashToken, parseToken } from '@/lib/api-tokens/format'
import { env } from '@/lib/env'
import { AccessTokenError, looksLikeJwt, verifyAccessTokenWith } from '@/lib/federation/access-token-verify'
import { logger } from '@/lib/log'
import { CompiledPolicies } from '@/lib/policies/engine'
import { gatewayCallRequest, routeTarget } from '@/lib/policies/request'
import { metrics } from '@/lib/telemetry/metrics'
import { startMetricsServer, type MetricsServer } from '@/lib/telemetry/server'
import { changeFeed, type ChangeFeed } from './changes'
import { openGatewayDb, type GatewayDb } from './db'
import { Lru } from './lru'
import { OrgPolicy, type Decision, type Principal } from './policy'
import { RateLimiter } from './rate-limit'
import { Recorder, type CallRecord } from './recorder'
import { loadOrgKeys, loadOrgPolicy, loadPrincipal, loadTaskEnded, loadRoutes, loadRules, loadToken, type CachedToken, type RouteRow } from './store'
import { UpstreamAuth, UpstreamAuthError } from './upstream-auth'

export interface GatewayOptions {
  databaseUrl: string
  port?: number
  host?: string
  /** serve cached decisions this long after the database stopped answering, then refuse everything (default 30) */
  staleSeconds?: number
  /** SQLite version poll (default 250 ms) */
  pollMs?: number
  /** recording batch period (default 1000 ms) */
  flushMs?: number
  decisionCacheSize?: number
  log?: (msg: string) => void
  /** the `iss` of the access tokens the token exchange issues (default: APP_URL without a trailing slash) */
  accessTokenIssuer?: string
  /** serve this process's /metrics on its own port (not the proxy's: any path there may be a route), guarded by metricsToken */
  metricsPort?: number
  metricsToken?: string | null
}

const HOP_BY_HOP = new Set([
  'connection',
  'keep-alive',
  'proxy-connection',
  'proxy-authenticate',
  'proxy-authorization',
  'te',
  'trailer',
  'trailers',
  'transfer-encoding',
  'upgrade',
  'host',
])
/** The caller's own credentials never reach the upstream. */
const CALLER_CREDENTIALS = new Set(['authorization', 'cookie'])
const REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/
const TRACEPARENT = /^[0-9a-f]{2}-[0-9a-f]{32}-[0-9a-f]{16}-[0-9a-f]{2}$/
const WWW_AUTHENTICATE = 'Bearer realm="custodian-gateway"'

class Problem extends Error {
  constructor(
    readonly status: number,
    readonly title: string,
    readonly detail: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(detail)
  }
}

const TITLES: Record<number, string> = {
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not found',
  413: 'Payload too large',
  429: 'Too many requests',
  500: 'Internal server error',
  502: 'Bad gateway',
  503: 'Service unavailable',
  504: 'Gateway timeout',
}
const problem = (status: number, detail: string, headers?: Record<string, string>) => new Problem(status, TITLES[status] ?? 'Error', detail, headers)
const unauthorized = (detail: string, error = 'invalid_token') =>
  problem(401, detail, { 'www-authenticate': `${WWW_AUTHENTICATE}, error="${error}", error_description="${detail.replace(/[^\x20-\x7e]|["\\]/g, '')}"` })

interface OrgState {
  orgId: string
  routes: RouteRow[]
  policy: OrgPolicy
  entitlementOf: Map<string, string>
  principals: Map<string, Principal>
  decisions: Lru<string, Decision>
  /** the organization's Cedar policies; null when it has none (nothing to ask) */
  orgPolicies: CompiledPolicies | null
  /** the stored policies could not be compiled: every call is refused until they are fixed (fail closed) */
  orgPoliciesBroken: string | null
}

interface TokenEntry {
  token: CachedToken
  /** the organization's generation when it was read: stale once a change signal bumped it */
  gen: number
}

export interface Gateway {
  readonly server: http.Server
  readonly url: string
  readonly port: number
  readonly recorder: Recorder
  readonly upstreamAuth: UpstreamAuth
  /** the /metrics address when metricsPort was given */
  readonly metricsUrl: string | null
  /** writes the recorded calls now (tests) */
  flush(): Promise<void>
  close(): Promise<void>
}

export async function startGateway(opts: GatewayOptions): Promise<Gateway> {
  const log = opts.log ?? ((m: string) => logger('gateway').warn(m))
  const meter = metrics()
  const staleMs = (opts.staleSeconds ?? 30) * 1000
  const db: GatewayDb = openGatewayDb(opts.databaseUrl)
  const recorder = new Recorder(db, { everyMs: opts.flushMs ?? 1000, log })
  const upstreamAuth = new UpstreamAuth()
  const limiter = new RateLimiter()
  const pools = new Map<string, Pool>()

  const gens = new Map<string, number>()
  const orgs = new Map<string, OrgState>()
  const orgLoads = new Map<string, Promise<OrgState>>()
  const tokens = new Map<string, TokenEntry>()
  const genOf = (orgId: string) => gens.get(orgId) ?? 0

  const dropOrg = (orgId: string) => {
    gens.set(orgId, genOf(orgId) + 1)
    orgs.delete(orgId)
    orgLoads.delete(orgId)
  }
  const dropAll = () => {
    for (const orgId of new Set([...gens.keys(), ...orgs.keys()])) dropOrg(orgId)
    tokens.clear()
  }
  const feed: ChangeFeed = changeFeed(db, { org: dropOrg, all: dropAll }, { pollMs: opts.pollMs, log })
  await feed.start()

  const sweep = setInterval(() => {
    limiter.sweep()
    for (const [hash, e] of tokens) if (e.gen !== genOf(e.token.orgId)) tokens.delete(hash)
  }, 30_000)
  sweep.unref()

  const dbDown = () => Date.now() - feed.lastOk() > staleMs
  const fromDb = async <T>(fn: () => Promise<T>): Promise<T> => {
    try {
      return await fn()
    } catch (err) {
      log(`gateway: database read failed: ${err instanceof Error ? err.message : String(err)}`)
      throw problem(503, 'The gateway cannot reach its database to check this call; try again shortly.')
    }
  }

  // Exchanged access tokens (JWTs with aud gateway:<route id>): verified with the organization's public keys (read at
  // most every 5 s per organization, so a new key is seen within that), then cached by hash until they expire.
  const orgKeys = new Map<string, { at: number; keys: Promise<Map<string, KeyObject>> }>()
  const keysOf = (orgId: string) => {
    const hit = orgKeys.get(orgId)
    if (hit && Date.now() - hit.at < 5_000) return hit.keys
    const keys = fromDb(() => loadOrgKeys(db, orgId))
    keys.catch(() => orgKeys.delete(orgId))
    orgKeys.set(orgId, { at: Date.now(), keys })
    if (orgKeys.size > 10_000) orgKeys.delete(orgKeys.keys().next().value as string)
    return keys
  }
  const issuer = () => opts.accessTokenIssuer ?? env().appUrl.replace(/\/$/, '')
  // Cached with the organization's generation: an ended task (its exchange row's trigger) drops the copy like any revocation.
  const jwts = new Map<string, { token: CachedToken; gen: number }>()
  const accessTokenOf = async (jwt: string): Promise<CachedToken> => {
    const hash = hashToken(jwt)
    const hit = jwts.get(hash)
    if (hit && hit.gen === genOf(hit.token.orgId)) return hit.token
    let claims
    try {
      claims = await verifyAccessTokenWith(jwt, (aud) => /^gateway:[a-z0-9_-]{1,40}$/i.test(aud), keysOf, issuer())
    } catch (err) {
      if (err instanceof AccessTokenError) throw unauthorized(err.message)
      throw err
    }
    const token: CachedToken = {
      id: `jwt:${claims.jti}`,
      orgId: claims.org_id,
      identityId: claims.sub,
      gatewayScope: claims.scope.split(' ').includes('gateway:call'),
      revoked: false,
      expiresAt: claims.exp * 1000,
      allowed: null,
      routeId: claims.aud.slice('gateway:'.length),
      task: claims.task ?? null,
    }
    const gen = genOf(token.orgId)
    // Ended early by its workload (POST /api/v1/oauth/revoke): refused like a revoked token.
    token.revoked = await fromDb(() => loadTaskEnded(db, claims.jti))
    jwts.set(hash, { token, gen })
    if (jwts.size > 100_000) jwts.delete(jwts.keys().next().value as string)
    return token
  }

  const tokenOf = async (hash: string): Promise<CachedToken | null> => {
    const e = tokens.get(hash)
    if (e && e.gen === genOf(e.token.orgId)) return e.token
    const t = await fromDb(() => loadToken(db, hash))
    if (!t) return null
    // The generation is read after the load: a change signal arriving meanwhile is for a change committed before or
    // after the read; either way the next change signal drops it, and signals are delivered within the poll period.
    tokens.set(hash, { token: t, gen: genOf(t.orgId) })
    if (tokens.size > 100_000) tokens.delete(tokens.keys().next().value as string)
    return t
  }

  const orgOf = (orgId: string): Promise<OrgState> | OrgState => {
    const s = orgs.get(orgId)
    if (s) return s
    let p = orgLoads.get(orgId)
    if (!p) {
      const gen = genOf(orgId)
      p = fromDb(async () => {
        const [routes, rules, stored] = await Promise.all([loadRoutes(db, orgId), loadRules(db, orgId), loadOrgPolicy(db, orgId)])
        routes.sort((a, b) => b.pathPrefix.length - a.pathPrefix.length)
        let orgPolicies: CompiledPolicies | null = null
        let orgPoliciesBroken: string | null = null
        if (stored) {
          try {
            const compiled = new CompiledPolicies(stored.text, stored.version)
            orgPolicies = compiled.empty ? null : compiled
          } catch (err) {
            orgPoliciesBroken = err instanceof Error ? err.message : String(err)
            log(`gateway: organization ${orgId}: ${orgPoliciesBroken}`)
          }
        }
        const state: OrgState = {
          orgId,
          routes,
          policy: new OrgPolicy(rules),
          entitlementOf: new Map(rules.map((r) => [r.id, r.entitlementId])),
          principals: new Map(),
          decisions: new Lru(opts.decisionCacheSize ?? 10_000),
          orgPolicies,
          orgPoliciesBroken,
        }
        return state
      }).then(
        (state) => {
          if (genOf(orgId) === gen) orgs.set(orgId, state)
          if (orgLoads.get(orgId) === p) orgLoads.delete(orgId)
          return state
        },
        (err) => {
          if (orgLoads.get(orgId) === p) orgLoads.delete(orgId)
          throw err
        },
      )
      orgLoads.set(orgId, p)
    }
    return p
  }

  const principalOf = async (state: OrgState, identityId: string): Promise<Principal | null> => {
    const p = state.principals.get(identityId)
    if (p) return p
    const gen = genOf(state.orgId)
    const loaded = await fromDb(() => loadPrincipal(db, state.orgId, identityId, state.orgPolicies !== null))
    if (loaded && genOf(state.orgId) === gen) state.principals.set(identityId, loaded)
    return loaded
  }

  const poolOf = (route: RouteRow, origin: string): Pool => {
    const key = `${origin}\u0000${route.connectTimeoutMs}`
    let pool = pools.get(key)
    if (!pool) {
      pool = new Pool(origin, { connections: 128, pipelining: 1, keepAliveTimeout: 10_000, connect: { timeout: route.connectTimeoutMs } })
      pools.set(key, pool)
    }
    return pool
  }

  const server = http.createServer({ keepAliveTimeout: 10_000, requestTimeout: 0 }, (req, res) => {
    handle(req, res).catch((err: unknown) => {
      log(`gateway: unexpected error: ${err instanceof Error ? err.stack : String(err)}`)
      if (!res.headersSent) sendProblem(res, problem(500, 'The gateway failed on this call.'), req.url ?? '/', String(res.getHeader('x-request-id') ?? ''))
      else res.destroy()
    })
  })
  server.on('clientError', (_err, socket) => {
    if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n')
    else socket.destroy()
  })

  async function handle(req: http.IncomingMessage, res: http.ServerResponse) {
    const started = performance.now()
    const at = Date.now()
    const incomingId = req.headers['x-request-id']
    const requestId = typeof incomingId === 'string' && REQUEST_ID.test(incomingId) ? incomingId : randomUUID()
    res.setHeader('x-request-id', requestId)
    const rawUrl = req.url ?? '/'
    const q = rawUrl.indexOf('?')
    const fullPath = q === -1 ? rawUrl : rawUrl.slice(0, q)
    const search = q === -1 ? '' : rawUrl.slice(q)
    const method = (req.method ?? 'GET').toUpperCase()
    const sourceIp = (req.socket.remoteAddress ?? '').replace(/^::ffff:/, '') || null

    let record: CallRecord | null = null
    let bytesIn = 0
    let bytesOut = 0
    // Counted once the answer is over (or cut): by route id, never the path, so the label values stay bounded.
    // The status is the recorded one (499 when the caller left), else what was sent (an unexpected 500).
    let routeLabel = 'none'
    let decisionLabel: CallRecord['decision'] = 'error'
    let statusLabel = 0
    res.once('close', () => {
      const status = String(statusLabel || res.statusCode)
      meter.gatewayRequests.inc({ route: routeLabel, method, status, decision: decisionLabel })
      meter.gatewayDuration.observe({ route: routeLabel, decision: decisionLabel }, (performance.now() - started) / 1000)
    })
    const finish = (status: number, decision: CallRecord['decision'], reason: string | null) => {
      decisionLabel = decision
      statusLabel = status
      if (!record) return
      record.status = status
      record.decision = decision
      record.reason = reason
      record.latencyMs = Math.round((performance.now() - started) * 1000) / 1000
      record.bytesIn = bytesIn
      record.bytesOut = bytesOut
      recorder.add(record)
      record = null
    }
    const refuse = (p: Problem, decision: CallRecord['decision'] = 'error') => {
      if (p.status === 429) meter.rateLimited.inc({ component: 'gateway', scope: 'identity_route' })
      finish(p.status, decision, p.detail)
      // Drain (or drop) what the caller is still sending so the connection stays usable for small bodies.
      sendProblem(res, p, fullPath, requestId)
    }

    try {
      if (dbDown()) throw problem(503, 'The gateway cannot reach its database and refuses calls until it can (fail closed).')

      // 1. Who calls: the token's format and checksum first, then the token itself.
      const auth = req.headers.authorization
      if (!auth) throw unauthorized('This call needs a gateway token: Authorization: Bearer cust_…', 'invalid_request')
      const m = /^Bearer\s+(\S+)\s*$/i.exec(auth)
      let token: CachedToken | null
      if (m && looksLikeJwt(m[1])) token = await accessTokenOf(m[1])
      else {
        if (!m || !parseToken(m[1])) throw unauthorized('The token is not a Custodian token (wrong format or checksum).')
        token = await tokenOf(hashToken(m[1]))
      }
      if (!token) throw unauthorized('The token is not known.')
      record = {
        orgId: token.orgId,
        identityId: token.identityId,
        // An exchanged token: `jwt:<jti>`, the key its task's calls are found by (TokenExchange.jti).
        tokenId: token.id,
        routeId: null,
        entitlementId: null,
        at,
        method,
        path: fullPath,
        status: 0,
        latencyMs: 0,
        bytesIn: 0,
        bytesOut: 0,
        decision: 'deny',
        ruleId: null,
        reason: null,
        sourceIp,
        requestId,
        authFailure: false,
      }
      const tokenRefusal = token.revoked
        ? 'The token was revoked.'
        : !(token.expiresAt > Date.now())
          ? 'The token has expired.'
          : !token.gatewayScope
            ? 'The token does not have the gateway:call scope.'
            : !token.identityId
              ? 'The token is not bound to an identity.'
              : token.allowed && !(sourceIp && token.allowed.check(sourceIp, sourceIp.includes(':') ? 'ipv6' : 'ipv4'))
                ? 'The token may not be used from this address.'
                : null
      if (tokenRefusal) {
        record.authFailure = true
        throw unauthorized(tokenRefusal)
      }
      const identityId = token.identityId!

      // 2. Which route: the longest prefix of the organization's routes, on a segment boundary.
      const stateOrPromise = orgOf(token.orgId)
      const state = stateOrPromise instanceof Promise ? await stateOrPromise : stateOrPromise
      let route: RouteRow | null = null
      for (const r of state.routes) {
        const p = r.pathPrefix
        if (fullPath === p || (fullPath.startsWith(p) && (p.endsWith('/') || fullPath.charCodeAt(p.length) === 47))) {
          route = r
          break
        }
      }
      if (!route) throw problem(404, `No gateway route matches ${fullPath}.`)
      record.routeId = route.id
      routeLabel = route.id
      if (token.routeId && token.routeId !== route.id)
        throw problem(403, `This access token was issued for another gateway route (its audience); exchange one for ${route.name}.`)
      if (route.status !== 'active') throw problem(503, `The route ${route.name} is disabled.`)
      const below = fullPath.slice(route.pathPrefix.replace(/\/$/, '').length) || '/'

      // 3. May this identity call it: Cedar, cached per token, route, method and path.
      const key = `${token.id}\u0000${route.id}\u0000${method}\u0000${below}`
      let decision = state.decisions.get(key)
      if (!decision) {
        const principal = state.principals.get(identityId) ?? (await principalOf(state, identityId))
        if (!principal) {
          record.authFailure = false
          record.identityId = null
          throw unauthorized('The token is bound to an identity that no longer exists.')
        }
        decision = state.policy.decide(principal, route, method, below)
        state.decisions.set(key, decision)
      }
      record.ruleId = decision.ruleId
      if (!decision.allow) {
        record.authFailure = true
        throw problem(403, `${decision.reason}.`)
      }
      record.entitlementId = (decision.ruleId && state.entitlementOf.get(decision.ruleId)) || null

      // 3b. The organization's Cedar policies (gateway_call): only when it has some; decisions cached per request shape.
      if (state.orgPoliciesBroken) {
        record.authFailure = true
        record.ruleId = 'policy:(invalid)'
        throw problem(403, 'The organization’s policies cannot be evaluated; calls are refused until an admin fixes them.')
      }
      if (state.orgPolicies) {
        const principal = state.principals.get(identityId) ?? (await principalOf(state, identityId))
        if (!principal) throw unauthorized('The token is bound to an identity that no longer exists.')
        const verdict = state.orgPolicies.decide(
          gatewayCallRequest(principal.attrs, routeTarget(route), {
            method,
            path: below,
            sourceIp,
            tokenKind: token.id.startsWith('jwt:') ? 'access_token' : 'gateway_token',
            task: token.task ?? null,
            unusual: principal.unusual,
            at: new Date(at),
          }),
        )
        if (verdict.decision === 'deny') {
          record.authFailure = true
          record.ruleId = `policy:${verdict.policies[0] ?? '(error)'}`
          throw problem(
            403,
            verdict.policies.length && !verdict.errors.length
              ? `The organization’s policy ${verdict.policies.map((p) => `“${p}”`).join(', ')} forbids this call.`
              : `The organization’s policies could not be evaluated for this call (${verdict.policies.map((p) => `“${p}”`).join(', ') || 'request'}).`,
          )
        }
      }

      // 4. Rate limit per identity and route, in this process.
      const wait = limiter.take(`${identityId}\u0000${route.id}`, route.ratePerSecond, route.burst)
      if (wait)
        throw problem(429, `Identity calls on route ${route.name} are limited to ${route.ratePerSecond}/s (burst ${route.burst}).`, {
          'retry-after': String(wait),
        })

      // 5. Size: by Content-Length before anything is sent, and counted while streaming.
      const declared = req.headers['content-length']
      if (declared !== undefined && Number(declared) > route.maxBodyBytes)
        throw problem(413, `The request body is larger than this route allows (${route.maxBodyBytes} bytes).`)

      await proxy(
        req,
        res,
        route,
        below + search,
        requestId,
        sourceIp,
        (n) => (bytesIn = n),
        (n) => (bytesOut = n),
        finish,
      )
    } catch (err) {
      if (err instanceof Problem) {
        const decision = err.status === 403 || err.status === 401 || err.status === 404 || err.status === 429 ? 'deny' : 'error'
        return refuse(err, decision)
      }
      throw err
    }
  }

  async function proxy(
    req: http.IncomingMessage,
    res: http.ServerResponse,
    route: RouteRow,
    pathAndQuery: string,
    requestId: string,
    sourceIp: string | null,
    setIn: (n: number) => void,
    setOut: (n: number) => void,
    finish: (status: number, decision: CallRecord['decision'], reason: string | null) => void,
  ) {
    const { origin, basePath } = upstreamOf(route)
    const path = basePath + pathAndQuery

    // Headers: drop hop-by-hop ones (and those Connection names) and the caller's credentials.
    const connection = req.headers.connection
    const named = connection
      ? new Set(
          connection
            .toLowerCase()
            .split(',')
            .map((s) => s.trim()),
        )
      : null
    const headers: Record<string, string | string[]> = {}
    for (const [name, value] of Object.entries(req.headers)) {
      if (value === undefined || HOP_BY_HOP.has(name) || CALLER_CREDENTIALS.has(name) || named?.has(name)) continue
      if (name === 'traceparent' && (typeof value !== 'string' || !TRACEPARENT.test(value))) continue
      headers[name] = value
    }
    headers['x-request-id'] = requestId
    const xff = req.headers['x-forwarded-for']
    if (sourceIp) headers['x-forwarded-for'] = xff ? `${xff}, ${sourceIp}` : sourceIp

    let credential: [string, string] | null | undefined
    try {
      credential = upstreamAuth.headerNow(route)
      if (credential === undefined) credential = await upstreamAuth.header(route)
    } catch (err) {
      if (err instanceof UpstreamAuthError) throw problem(err.status, `${err.message[0].toUpperCase()}${err.message.slice(1)}.`)
      throw err
    }
    if (credential) headers[credential[0].toLowerCase()] = credential[1]

    const hasBody = req.headers['content-length'] !== undefined ? Number(req.headers['content-length']) > 0 : req.headers['transfer-encoding'] !== undefined
    let tooLarge = false
    let counted = 0
    let body: Transform | null = null
    if (hasBody) {
      body = new Transform({
        transform(chunk: Buffer, _enc, cb) {
          counted += chunk.length
          setIn(counted)
          if (counted > route.maxBodyBytes) {
            tooLarge = true
            cb(new Error('request body too large'))
          } else cb(null, chunk)
        },
      })
      req.pipe(body)
      req.on('error', (e) => body!.destroy(e))
    }

    const ac = new AbortController()
    const onClose = () => {
      if (!res.writableFinished) ac.abort()
    }
    res.on('close', onClose)
    const pool = poolOf(route, origin)
    const send = () =>
      pool.request({
        path,
        method: req.method as 'GET',
        headers,
        body: body ?? undefined,
        headersTimeout: route.timeoutMs,
        bodyTimeout: route.timeoutMs,
        signal: ac.signal,
      })
    let up
    try {
      up = await send()
      // OAuth upstream refused the cached token: fetch a new one and, for a call without body, try once more.
      if (up.statusCode === 401 && route.authKind === 'oauth2_client_credentials' && credential) {
        upstreamAuth.invalidate(route, credential[1])
        if (!hasBody) {
          await up.body.dump().catch(() => {})
          const fresh = await upstreamAuth.header(route)
          if (fresh) headers[fresh[0].toLowerCase()] = fresh[1]
          up = await send()
        }
      }
    } catch (err) {
      res.off('close', onClose)
      if (tooLarge) {
        req.resume()
        throw problem(413, `The request body is larger than this route allows (${route.maxBodyBytes} bytes).`)
      }
      if (err instanceof UpstreamAuthError) throw problem(err.status, `${err.message[0].toUpperCase()}${err.message.slice(1)}.`)
      if (res.destroyed) return finish(499, 'error', 'the caller closed the connection')
      throw upstreamProblem(err, route)
    }

    const out: Record<string, string | string[]> = {}
    const upConnection = up.headers.connection
    const upNamed =
      typeof upConnection === 'string'
        ? new Set(
            upConnection
              .toLowerCase()
              .split(',')
              .map((s) => s.trim()),
          )
        : null
    for (const [name, value] of Object.entries(up.headers)) {
      if (value === undefined || HOP_BY_HOP.has(name) || upNamed?.has(name)) continue
      out[name] = value
    }
    out['x-request-id'] = requestId
    res.writeHead(up.statusCode, out)
    let sent = 0
    up.body.on('data', (chunk: Buffer) => {
      sent += chunk.length
      setOut(sent)
      if (!res.write(chunk)) {
        up.body.pause()
        res.once('drain', () => up.body.resume())
      }
    })
    await new Promise<void>((resolve) => {
      up.body.once('end', () => {
        res.end()
        res.off('close', onClose)
        finish(up.statusCode, 'allow', null)
        resolve()
      })
      up.body.once('error', (err) => {
        res.off('close', onClose)
        res.destroy()
        finish(
          up.statusCode,
          'error',
          res.destroyed && !(err instanceof undiciErrors.BodyTimeoutError) ? 'the response was cut short' : 'the upstream was too slow sending its answer',
        )
        resolve()
      })
    })
  }

  const address = await new Promise<AddressInfo>((resolve, reject) => {
    server.once('error', reject)
    server.listen(opts.port ?? 8080, opts.host ?? '127.0.0.1', () => resolve(server.address() as AddressInfo))
  })
  const shownHost = address.family === 'IPv6' ? `[${address.address}]` : address.address
  let metricsServer: MetricsServer | null = null
  if (opts.metricsPort !== undefined) {
    try {
      metricsServer = await startMetricsServer({ port: opts.metricsPort, host: opts.host, token: opts.metricsToken ?? null })
    } catch (err) {
      await new Promise<void>((resolve) => server.close(() => resolve()))
      throw err
    }
  }
  return {
    server,
    url: `http://${shownHost}:${address.port}`,
    port: address.port,
    recorder,
    upstreamAuth,
    metricsUrl: metricsServer?.url ?? null,
    flush: () => recorder.flush(),
    async close() {
      await new Promise<void>((resolve) => {
        server.close(() => resolve())
        server.closeAllConnections()
      })
      clearInterval(sweep)
      await metricsServer?.close()
      await feed.close()
      await recorder.close()
      await Promise.all([...pools.values()].map((p) => p.destroy().catch(() => {})))
      await db.close()
    },
  }
}

const upstreams = new WeakMap<RouteRow, { origin: string; basePath: string }>()
/** The route's upstream origin and base path, parsed once per loaded route. */
function upstreamOf(route: RouteRow) {
  let u = upstreams.get(route)
  if (!u) {
    const url = new URL(route.upstreamUrl)
    u = { origin: url.origin, basePath: url.pathname.replace(/\/$/, '') }
    upstreams.set(route, u)
  }
  return u
}

function upstreamProblem(err: unknown, route: RouteRow): Problem {
  const code = (err as { code?: string })?.code
  if (err instanceof undiciErrors.HeadersTimeoutError || err instanceof undiciErrors.BodyTimeoutError || code === 'UND_ERR_HEADERS_TIMEOUT')
    return problem(504, `The upstream of route ${route.name} did not answer within ${route.timeoutMs} ms.`)
  if (err instanceof undiciErrors.ConnectTimeoutError || code === 'UND_ERR_CONNECT_TIMEOUT')
    return problem(504, `The upstream of route ${route.name} did not accept a connection within ${route.connectTimeoutMs} ms.`)
  return problem(502, `The upstream of route ${route.name} could not be reached.`)
}

function sendProblem(res: http.ServerResponse, p: Problem, instance: string, requestId: string) {
  if (res.headersSent) return void res.destroy()
  const body = JSON.stringify({ type: 'about:blank', title: p.title, status: p.status, detail: p.detail, instance, requestId })
  res.writeHead(p.status, { 'content-type': 'application/problem+json', 'content-length': Buffer.byteLength(body), 'x-request-id': requestId, ...p.headers })
  res.end(body)
}
