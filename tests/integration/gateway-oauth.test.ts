// A route whose upstream wants an OAuth 2.0 client-credentials token: the gateway fetches it from a real token
// endpoint on loopback (a minimal HTTP endpoint speaking RFC 6749 §4.4 with client_secret_basic: oidc-provider's
// client-credentials grant needs resource-indicator configuration this test does not need), caches it, refreshes it
// after expiry with one fetch for concurrent callers, and fetches a new one once when the upstream answers 401.
import http from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startGateway, type Gateway } from '@/lib/gateway/runtime/server'
import { call, gatewayOrg, startUpstream, type Upstream } from './gateway-setup'

const CLIENT_SECRET = 'client-secret-4c3b2a'
let tokenServer: http.Server
let tokenUrl: string
let issued = 0
const valid = new Set<string>()
const seenAuth: string[] = []
let upstream: Upstream
let gw: Gateway
let o: Awaited<ReturnType<typeof gatewayOrg>>

beforeAll(async () => {
  process.env.GW_OAUTH_SECRET = CLIENT_SECRET
  tokenServer = http.createServer((req, res) => {
    let body = ''
    req.on('data', (c) => (body += String(c)))
    req.on('end', () => {
      const basic = Buffer.from(String(req.headers.authorization ?? '').replace(/^Basic /, ''), 'base64').toString()
      const form = new URLSearchParams(body)
      if (req.method !== 'POST' || basic !== `gateway-client:${CLIENT_SECRET}` || form.get('grant_type') !== 'client_credentials') {
        res.writeHead(401, { 'content-type': 'application/json' })
        return res.end(JSON.stringify({ error: 'invalid_client' }))
      }
      const token = `at-${++issued}`
      valid.add(token)
      res.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'no-store' })
      res.end(JSON.stringify({ access_token: token, token_type: 'Bearer', expires_in: 2, scope: form.get('scope') }))
    })
  })
  await new Promise<void>((r) => tokenServer.listen(0, '127.0.0.1', r))
  tokenUrl = `http://127.0.0.1:${(tokenServer.address() as AddressInfo).port}/token`
  upstream = await startUpstream((req, res) => {
    const auth = String(req.headers.authorization ?? '')
    seenAuth.push(auth)
    if (!valid.has(auth.replace(/^Bearer /, ''))) {
      res.writeHead(401)
      res.end()
      return true
    }
    return false
  })
  o = await gatewayOrg(upstream.url, {
    authKind: 'oauth2_client_credentials',
    oauthTokenUrl: tokenUrl,
    oauthClientId: 'gateway-client',
    secretRef: 'GW_OAUTH_SECRET',
  })
  gw = await startGateway({ databaseUrl: process.env.DATABASE_URL!, port: 0, log: () => {} })
})
afterAll(async () => {
  await gw?.close()
  await upstream?.close()
  await new Promise<void>((r) => tokenServer?.close(() => r()))
})

const get = () => call(`${gw.url}${o.route.pathPrefix}/orders/1`, { token: o.token })

describe('gateway: OAuth client credentials upstream', () => {
  it('fetches a token once, caches it, refreshes it after expiry with one fetch for concurrent calls', async () => {
    for (let i = 0; i < 3; i++) expect((await get()).status).toBe(200)
    expect(issued).toBe(1)
    expect(seenAuth.slice(-3)).toEqual(['Bearer at-1', 'Bearer at-1', 'Bearer at-1'])
    // expires_in 2 s: refreshed after half of it, when less than 30 s would be left.
    await new Promise((r) => setTimeout(r, 1100))
    const statuses = await Promise.all(Array.from({ length: 8 }, () => get().then((r) => r.status)))
    expect(statuses.every((s) => s === 200)).toBe(true)
    expect(issued).toBe(2)
    expect(seenAuth.at(-1)).toBe('Bearer at-2')
  })

  it('fetches a new token once when the upstream refuses the cached one (401), and retries the call', async () => {
    valid.delete('at-2')
    const res = await get()
    expect(res.status).toBe(200)
    expect(issued).toBe(3)
    expect(seenAuth.slice(-2)).toEqual(['Bearer at-2', 'Bearer at-3'])
  })

  it('answers 502 without the secret when the token endpoint refuses the client', async () => {
    process.env.GW_OAUTH_SECRET = 'wrong'
    valid.clear()
    const res = await get()
    expect(res.status).toBe(502)
    expect(res.json.detail).toBe("The route's token endpoint refused the gateway's client credentials (HTTP 401).")
    expect(res.text).not.toContain('wrong')
    process.env.GW_OAUTH_SECRET = CLIENT_SECRET
  })
})
