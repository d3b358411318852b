// The gateway process against real upstream HTTP servers on loopback and the real database: authentication,
// routes, Cedar decisions, upstream credentials, limits, faults and the recording of calls.
import http from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { db } from '@/lib/db'
import { startGateway, type Gateway } from '@/lib/gateway/runtime/server'
import { addGatewayToken, addRoute, addRule, call, DAY, gatewayOrg, rawCall, settle, startUpstream, type Upstream } from './gateway-setup'
import Database from 'better-sqlite3'
import { sqliteFile } from '@/lib/db-url'
import { addIdentity, engine } from './fixtures'

let upstream: Upstream
let gw: Gateway
let o: Awaited<ReturnType<typeof gatewayOrg>>
const SECRET = 'upstream-secret-value-9f8e7d'

beforeAll(async () => {
  process.env.GW_TEST_SECRET = SECRET
  upstream = await startUpstream()
  o = await gatewayOrg(upstream.url, { authKind: 'header', authHeader: 'X-Api-Key', authPrefix: 'Key ', secretRef: 'GW_TEST_SECRET', timeoutMs: 500 })
  gw = await startGateway({ databaseUrl: process.env.DATABASE_URL!, port: 0, flushMs: 200, log: () => {} })
})
afterAll(async () => {
  await gw?.close()
  await upstream?.close()
})

const url = (path: string) => `${gw.url}${o.route.pathPrefix}${path}`

describe('gateway: an allowed call', () => {
  it('reaches the upstream with the injected credential, without the caller’s credentials or hop-by-hop headers', async () => {
    const traceparent = '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01'
    const res = await rawCall(url('/orders/42?expand=lines'), {
      authorization: `Bearer ${o.token}`,
      cookie: 'session=abc',
      traceparent,
      'x-request-id': 'req-test-1',
      connection: 'keep-alive, x-drop-me',
      'x-drop-me': '1',
      'x-keep': 'kept',
    })
    expect(res.status).toBe(200)
    expect(res.json).toMatchObject({ method: 'GET', url: '/orders/42?expand=lines' })
    expect(res.headers['x-request-id']).toBe('req-test-1')
    expect(res.headers['x-upstream']).toBe('yes')
    // The upstream's own Keep-Alive (timeout=5) is not passed on; Node adds the gateway's own for its connection.
    expect(res.headers['keep-alive']).not.toBe('timeout=5')
    const seen = upstream.calls.at(-1)!
    expect(seen.headers['x-api-key']).toBe(`Key ${SECRET}`)
    expect(seen.headers.authorization).toBeUndefined()
    expect(seen.headers.cookie).toBeUndefined()
    expect(seen.headers['x-drop-me']).toBeUndefined()
    expect(seen.headers['x-keep']).toBe('kept')
    expect(seen.headers.traceparent).toBe(traceparent)
    expect(seen.headers['x-request-id']).toBe('req-test-1')
  })

  it('streams a request body to the upstream and creates a request id when none is sent', async () => {
    const body = 'x'.repeat(200_000)
    const res = await call(url('/orders'), { token: o.token, method: 'POST', body })
    expect(res.status).toBe(200)
    expect(res.json.bodyBytes).toBe(200_000)
    expect(res.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/)
  })
})

describe('gateway: refused calls', () => {
  it('refuses a method or path no rule allows with 403 naming what is missing', async () => {
    const before = upstream.calls.length
    const res = await call(url('/invoices/1'), { token: o.token, method: 'DELETE' })
    expect(res.status).toBe(403)
    expect(res.headers.get('content-type')).toBe('application/problem+json')
    expect(res.json.detail).toBe(`no rule lets identity ${o.identity.name} call DELETE /invoices/1 on route ${o.route.name}.`)
    expect(res.text).not.toContain(upstream.url)
    expect(upstream.calls.length).toBe(before)
  })

  it('answers 401 for a missing, malformed, wrong-checksum, unknown, revoked, expired or unscoped token', async () => {
    const revoked = await addGatewayToken(o.org.id, o.identity.id, { revokedAt: new Date() })
    const expired = await addGatewayToken(o.org.id, o.identity.id, { expiresAt: new Date(Date.now() - DAY) })
    const unscoped = await addGatewayToken(o.org.id, o.identity.id, { scopes: ['identities:read'] })
    const unbound = await addGatewayToken(o.org.id, null)
    const elsewhere = await addGatewayToken(o.org.id, o.identity.id, { allowedIps: ['10.9.9.0/24'] })
    const unknown = (await import('@/lib/api-tokens/format')).newToken().token
    const wrongChecksum = o.token.slice(0, -1) + (o.token.endsWith('A') ? 'B' : 'A')
    const cases: [string | undefined, RegExp][] = [
      [undefined, /needs a gateway token/],
      ['not-a-token', /not a Custodian token/],
      [wrongChecksum, /not a Custodian token/],
      [unknown, /not known/],
      [revoked.token, /revoked/],
      [expired.token, /expired/],
      [unscoped.token, /gateway:call/],
      [unbound.token, /not bound to an identity/],
      [elsewhere.token, /from this address/],
    ]
    for (const [token, detail] of cases) {
      const res = await call(url('/orders'), { token })
      expect(res.status, String(token)).toBe(401)
      expect(res.headers.get('www-authenticate')).toMatch(/^Bearer realm="custodian-gateway"/)
      expect(res.json.detail).toMatch(detail)
    }
  })

  it('answers 404 for a path no route starts, on a segment boundary', async () => {
    expect((await call(`${gw.url}/nowhere/orders`, { token: o.token })).status).toBe(404)
    expect((await call(`${gw.url}${o.route.pathPrefix}x/orders`, { token: o.token })).status).toBe(404)
  })

  it('answers 413 for a body over the route’s limit, by Content-Length and while streaming', async () => {
    const small = await addRoute(o.org.id, upstream.url, { maxBodyBytes: 1000 })
    await addRule(o.org.id, small, { identityId: o.identity.id, methods: ['POST'], paths: ['*'] })
    await settle()
    const byLength = await call(`${gw.url}${small.pathPrefix}/upload`, { token: o.token, method: 'POST', body: 'y'.repeat(5000) })
    expect(byLength.status).toBe(413)
    expect(byLength.headers.get('content-type')).toBe('application/problem+json')
    // Chunked, no Content-Length: counted as it streams.
    const streamed = await new Promise<number>((resolve, reject) => {
      const req = http.request(`${gw.url}${small.pathPrefix}/upload`, { method: 'POST', headers: { authorization: `Bearer ${o.token}` } }, (res) => {
        res.resume()
        resolve(res.statusCode!)
      })
      req.on('error', reject)
      for (let i = 0; i < 10; i++) req.write('z'.repeat(500))
      req.end()
    })
    expect(streamed).toBe(413)
  })

  it('limits calls per identity and route: 429 with Retry-After', async () => {
    const limited = await addRoute(o.org.id, upstream.url, { ratePerSecond: 1, burst: 3 })
    await addRule(o.org.id, limited, { identityId: o.identity.id, methods: ['GET'], paths: ['*'] })
    await settle()
    const statuses = []
    for (let i = 0; i < 5; i++) statuses.push(await call(`${gw.url}${limited.pathPrefix}/x`, { token: o.token }))
    expect(statuses.map((s) => s.status)).toEqual([200, 200, 200, 429, 429])
    expect(statuses[3].headers.get('retry-after')).toBe('1')
    expect(statuses[3].json.detail).toMatch(/limited to 1\/s \(burst 3\)/)
  })
})

describe('gateway: upstream faults', () => {
  it('answers 502 when the upstream is down and 504 when it is slower than the route’s timeout', async () => {
    const dead = http.createServer()
    await new Promise<void>((r) => dead.listen(0, '127.0.0.1', r))
    const deadPort = (dead.address() as AddressInfo).port
    await new Promise<void>((r) => dead.close(() => r()))
    const down = await addRoute(o.org.id, `http://127.0.0.1:${deadPort}`)
    await addRule(o.org.id, down, { identityId: o.identity.id, methods: ['GET'], paths: ['*'] })
    await settle()
    const r502 = await call(`${gw.url}${down.pathPrefix}/x`, { token: o.token })
    expect(r502.status).toBe(502)
    expect(r502.json.detail).toBe(`The upstream of route ${down.name} could not be reached.`)
    expect(r502.text).not.toContain(String(deadPort))

    const t0 = Date.now()
    const r504 = await call(url('/orders/slow'), { token: o.token })
    expect(r504.status).toBe(504)
    expect(Date.now() - t0).toBeLessThan(1400)
    expect(r504.headers.get('content-type')).toBe('application/problem+json')
  })

  it('answers 502 without the value when the route’s secret is not configured', async () => {
    const missing = await addRoute(o.org.id, upstream.url, {
      authKind: 'header',
      authHeader: 'Authorization',
      authPrefix: 'Bearer ',
      secretRef: 'GW_TEST_NOT_SET',
    })
    await addRule(o.org.id, missing, { identityId: o.identity.id, methods: ['GET'], paths: ['*'] })
    await settle()
    const res = await call(`${gw.url}${missing.pathPrefix}/x`, { token: o.token })
    expect(res.status).toBe(502)
    expect(res.json.detail).toBe("The route's upstream credential is not configured.")
  })

  it('never crashes on a malformed request', async () => {
    const { connect } = await import('node:net')
    const raw = await new Promise<string>((resolve) => {
      const s = connect(gw.port, '127.0.0.1', () => s.write('GARBAGE\r\n\r\n'))
      let out = ''
      s.on('data', (c) => (out += String(c)))
      s.on('close', () => resolve(out))
    })
    expect(raw).toMatch(/^HTTP\/1.1 400/)
    expect((await call(url('/orders'), { token: o.token })).status).toBe(200)
  })
})

describe('gateway: teams, tags and inactive identities', () => {
  it('lets a team rule and a tag rule reach their identities, and refuses a disabled identity by policy', async () => {
    const team = await db.team.create({ data: { orgId: o.org.id, slug: `t-${Date.now()}`, name: 'Payments' } })
    const member = await addIdentity(o.org.id, o.source.id, { name: 'team-member' })
    await db.identity.update({ where: { id: member.id }, data: { teamId: team.id } })
    const tagged = await addIdentity(o.org.id, o.source.id, { name: 'tagged' })
    await db.identityTag.create({ data: { orgId: o.org.id, identityId: tagged.id, key: 'tier', value: 'gold' } })
    const disabled = await addIdentity(o.org.id, o.source.id, { name: 'disabled-one', status: 'disabled' })
    const route = await addRoute(o.org.id, upstream.url)
    await addRule(o.org.id, route, { teamId: team.id, methods: ['GET'], paths: ['/team/*'] })
    await addRule(o.org.id, route, { tagKey: 'tier', tagValue: 'gold', methods: ['*'], paths: ['/gold'] })
    await addRule(o.org.id, route, { identityId: disabled.id, methods: ['*'], paths: ['*'] })
    const tm = (await addGatewayToken(o.org.id, member.id)).token
    const tg = (await addGatewayToken(o.org.id, tagged.id)).token
    const td = (await addGatewayToken(o.org.id, disabled.id)).token
    await settle()
    expect((await call(`${gw.url}${route.pathPrefix}/team/a`, { token: tm })).status).toBe(200)
    expect((await call(`${gw.url}${route.pathPrefix}/gold`, { token: tm })).status).toBe(403)
    expect((await call(`${gw.url}${route.pathPrefix}/gold`, { token: tg, method: 'PUT' })).status).toBe(200)
    const d = await call(`${gw.url}${route.pathPrefix}/x`, { token: td })
    expect(d.status).toBe(403)
    expect(d.json.detail).toBe('identity disabled-one is disabled, not active.')
  })
})

describe('gateway: recording', () => {
  it('writes calls in batches: GatewayCall rows, last use of the identity and its grant, activity events', async () => {
    const r = await call(url('/orders/7'), { token: o.token, headers: { 'x-request-id': 'rec-allowed' } })
    expect(r.status).toBe(200)
    const d = await call(url('/secret'), { token: o.token, headers: { 'x-request-id': 'rec-denied' } })
    expect(d.status).toBe(403)
    await gw.flush()
    const allowed = await db.gatewayCall.findFirstOrThrow({ where: { orgId: o.org.id, requestId: 'rec-allowed' } })
    expect(allowed).toMatchObject({
      identityId: o.identity.id,
      tokenId: o.tokenRow.id,
      routeId: o.route.id,
      method: 'GET',
      path: `${o.route.pathPrefix}/orders/7`,
      status: 200,
      decision: 'allow',
      ruleId: o.rule.id,
    })
    expect(allowed.bytesOut).toBeGreaterThan(10)
    expect(allowed.sourceIp).toBe('127.0.0.1')
    const denied = await db.gatewayCall.findFirstOrThrow({ where: { orgId: o.org.id, requestId: 'rec-denied' } })
    expect(denied).toMatchObject({ status: 403, decision: 'deny', ruleId: null })
    expect(denied.reason).toMatch(/no rule lets identity/)
    const identity = await db.identity.findUniqueOrThrow({ where: { id: o.identity.id } })
    expect(Date.now() - identity.lastUsedAt!.getTime()).toBeLessThan(60_000)
    const grant = await db.grant.findUniqueOrThrow({ where: { id: o.grant!.id } })
    expect(grant.lastUsedAt).not.toBeNull()
    const token = await db.apiToken.findUniqueOrThrow({ where: { id: o.tokenRow.id } })
    expect(token).toMatchObject({ lastUsedIp: '127.0.0.1' })
    expect(Date.now() - token.lastUsedAt!.getTime()).toBeLessThan(60_000)
    const kinds = (await db.activityEvent.findMany({ where: { orgId: o.org.id, identityId: o.identity.id } })).map((e) => e.kind)
    expect(kinds).toContain('api_call')
    expect(kinds).toContain('auth_failure')
    // The upstream secret is in no recorded row.
    const rows = await db.gatewayCall.findMany({ where: { orgId: o.org.id } })
    expect(JSON.stringify(rows)).not.toContain(SECRET)
  })

  it.runIf(engine === 'sqlite')('serves calls while another process holds the database’s write lock, and records them after', async () => {
    // Another writer (the web app, the worker) in a long write transaction: the batch waits in the writer thread,
    // never on the event loop that answers requests.
    const other = new Database(sqliteFile(process.env.DATABASE_URL!), { timeout: 1_000 })
    other.exec('BEGIN IMMEDIATE')
    let released = false
    try {
      const first = await call(url('/orders/1'), { token: o.token, headers: { 'x-request-id': 'locked-1' } })
      expect(first.status).toBe(200)
      const flushing = gw.flush()
      const times: number[] = []
      for (let i = 0; i < 5; i++) {
        const t = performance.now()
        const r = await call(url(`/orders/${i}`), { token: o.token })
        times.push(performance.now() - t)
        expect(r.status).toBe(200)
      }
      expect(Math.max(...times)).toBeLessThan(500)
      expect(await db.gatewayCall.count({ where: { orgId: o.org.id, requestId: 'locked-1' } })).toBe(0)
      other.exec('COMMIT')
      released = true
      await flushing
      await gw.flush()
      expect(await db.gatewayCall.count({ where: { orgId: o.org.id, requestId: 'locked-1' } })).toBe(1)
    } finally {
      if (!released) other.exec('ROLLBACK')
      other.close()
    }
  })

  it('keeps recording when one call of a batch can no longer be written (its identity deleted meanwhile)', async () => {
    // A gateway of its own that writes only when told, so the deletion lands between the call and its batch.
    const slow = await startGateway({ databaseUrl: process.env.DATABASE_URL!, port: 0, flushMs: 600_000, log: () => {} })
    try {
      const gone = await addIdentity(o.org.id, o.source.id, { name: 'soon-gone' })
      await addRule(o.org.id, o.route, { identityId: gone.id, methods: ['GET'], paths: ['*'] })
      const goneToken = (await addGatewayToken(o.org.id, gone.id)).token
      const at = `${slow.url}${o.route.pathPrefix}`
      expect((await call(`${at}/orders/1`, { token: goneToken, headers: { 'x-request-id': 'rec-gone' } })).status).toBe(200)
      expect((await call(`${at}/orders/2`, { token: o.token, headers: { 'x-request-id': 'rec-after' } })).status).toBe(200)
      await db.identity.delete({ where: { id: gone.id } })
      await slow.flush()
      expect(await db.gatewayCall.count({ where: { orgId: o.org.id, requestId: 'rec-after' } })).toBe(1)
      expect(slow.recorder.dropped).toBe(1)
    } finally {
      await slow.close()
    }
  })
})
