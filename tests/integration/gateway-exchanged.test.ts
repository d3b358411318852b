import { randomUUID } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { POST as revokePOST } from '@/app/api/v1/oauth/revoke/route'
import { db } from '@/lib/db'
import { EXCHANGE_ACTOR } from '@/lib/federation/commit'
import { accessTokenIssuer, signAccessToken, type AccessTokenClaims } from '@/lib/federation/access-token'
import { identityTasks } from '@/lib/federation/queries'
import { startGateway, type Gateway } from '@/lib/gateway/runtime/server'
import { orgSigner } from '@/lib/keys/org-keys'
import { addRoute, addRule, call, gatewayOrg, settle, startUpstream, type Upstream } from './gateway-setup'
import { createOrg, engine } from './fixtures'

// The gateway accepts the access tokens the token exchange issues for one of its routes (aud gateway:<route id>),
// beside gateway API tokens: verified with the organization's public keys, for that route only.

let upstream: Upstream
let gw: Gateway
let o: Awaited<ReturnType<typeof gatewayOrg>>
let other: Awaited<ReturnType<typeof addRoute>>
const SECRET = 'upstream-secret-exchanged-4c3b'
const now = () => Math.floor(Date.now() / 1000)

async function mint(extra: Partial<AccessTokenClaims> = {}, org = o.org) {
  const signer = await orgSigner({ org, actor: EXCHANGE_ACTOR })
  return signAccessToken(signer, {
    iss: accessTokenIssuer(),
    sub: o.identity.id,
    aud: `gateway:${o.route.id}`,
    scope: 'gateway:call',
    org_id: org.id,
    jti: randomUUID(),
    iat: now(),
    exp: now() + 600,
    ...extra,
  })
}

beforeAll(async () => {
  process.env.GW_EXCHANGED_SECRET = SECRET
  upstream = await startUpstream()
  o = await gatewayOrg(upstream.url, { authKind: 'header', authHeader: 'X-Api-Key', secretRef: 'GW_EXCHANGED_SECRET' })
  other = await addRoute(o.org.id, upstream.url)
  await addRule(o.org.id, other, { identityId: o.identity.id, methods: ['GET'], paths: ['/*'] })
  gw = await startGateway({ databaseUrl: process.env.DATABASE_URL!, port: 0, flushMs: 200, log: () => {} })
})
afterAll(async () => {
  await gw?.close()
  await upstream?.close()
})

const url = (prefix: string, path: string) => `${gw.url}${prefix}${path}`

describe(`gateway: exchanged access tokens (${engine})`, () => {
  it('calls the route the token was issued for, with the upstream credential injected and the token kept back', async () => {
    const token = await mint()
    const res = await call(url(o.route.pathPrefix, '/orders/7'), { token })
    expect(res.status).toBe(200)
    const seen = upstream.calls.at(-1)!
    expect(seen.headers['x-api-key']).toBe(SECRET)
    expect(JSON.stringify(seen.headers)).not.toContain(token.slice(0, 40))
    // Recorded like any call, for the identity, under the token's jti (its task's calls are found by it).
    await gw.flush()
    const rec = await db.gatewayCall.findFirst({ where: { orgId: o.org.id, path: `${o.route.pathPrefix}/orders/7` }, orderBy: { at: 'desc' } })
    expect(rec).toMatchObject({ identityId: o.identity.id, decision: 'allow', status: 200 })
    expect(rec!.tokenId).toMatch(/^jwt:/)
  })

  it('refuses another route, the API audience, a missing scope, expiry, forgery and another organization’s key', async () => {
    const forOther = await call(url(other.pathPrefix, '/x'), { token: await mint() })
    expect(forOther.status).toBe(403)
    expect(forOther.json.detail).toMatch(/another gateway route/)
    const api = await call(url(o.route.pathPrefix, '/orders'), { token: await mint({ aud: 'custodian-api' }) })
    expect(api.status).toBe(401)
    expect(api.json.detail).toMatch(/audience/)
    const noScope = await call(url(o.route.pathPrefix, '/orders'), { token: await mint({ scope: 'identities:read' }) })
    expect(noScope.status).toBe(401)
    expect(noScope.json.detail).toMatch(/gateway:call/)
    const expired = await call(url(o.route.pathPrefix, '/orders'), { token: await mint({ iat: now() - 4000, exp: now() - 400 }) })
    expect(expired.status).toBe(401)
    expect(expired.json.detail).toMatch(/expired/)
    const good = await mint()
    const [h, p, s] = good.split('.')
    const payload = JSON.parse(Buffer.from(p, 'base64url').toString()) as Record<string, unknown>
    const tampered = `${h}.${Buffer.from(JSON.stringify({ ...payload, sub: 'someone-else' })).toString('base64url')}.${s}`
    expect((await call(url(o.route.pathPrefix, '/orders'), { token: tampered })).status).toBe(401)
    const none = `${Buffer.from(JSON.stringify({ alg: 'none', typ: 'at+jwt' })).toString('base64url')}.${p}.`
    expect((await call(url(o.route.pathPrefix, '/orders'), { token: none })).status).toBe(401)
    // Signed by another organization's key but naming this one: its kid is not this organization's.
    const b = await createOrg('Exchanged B')
    const bSigner = await orgSigner({ org: b.org, actor: EXCHANGE_ACTOR })
    const foreign = signAccessToken(bSigner, { ...(payload as unknown as AccessTokenClaims), jti: randomUUID() })
    const f = await call(url(o.route.pathPrefix, '/orders'), { token: foreign })
    expect(f.status).toBe(401)
    expect(f.json.detail).toMatch(/key the organization does not have/)
  })

  it('stops on every call after the agent ends its task (RFC 7009 revocation), the change reaching the gateway like a revocation', async () => {
    const token = await mint()
    const claims = JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString()) as AccessTokenClaims
    // The exchange's evidence row for this token (written by the exchange when it issues one).
    await db.tokenExchange.create({
      data: {
        orgId: o.org.id,
        identityId: o.identity.id,
        issuer: 'https://issuer.example',
        replayKey: randomUUID(),
        outcome: 'issued',
        jti: claims.jti,
        scope: claims.scope,
        audience: claims.aud,
        task: 'sync orders',
        expiresAt: new Date(claims.exp * 1000),
      },
    })
    expect((await call(url(o.route.pathPrefix, '/orders'), { token })).status).toBe(200)
    const res = await revokePOST(
      new Request('http://localhost/api/v1/oauth/revoke', {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ token }),
      }),
    )
    expect(res.status).toBe(200)
    await settle()
    const off = await call(url(o.route.pathPrefix, '/orders'), { token })
    expect(off.status).toBe(401)
    expect(off.json.detail).toMatch(/revoked/)
    // The identity page's tasks: what the token allowed, that it was ended, and what it did through the gateway.
    await gw.flush()
    const tasks = await identityTasks(o.ctx('auditor'), o.identity.id)
    expect(tasks.find((t) => t.jti === claims.jti)).toMatchObject({
      task: 'sync orders',
      scope: 'gateway:call',
      audience: `gateway:${o.route.id}`,
      calls: { allowed: 1, refused: 1 },
    })
    expect(tasks.find((t) => t.jti === claims.jti)!.endedAt).not.toBeNull()
  })

  it('stops at once when the identity is disabled, like its API tokens', async () => {
    const token = await mint()
    expect((await call(url(o.route.pathPrefix, '/orders'), { token })).status).toBe(200)
    await db.identity.update({ where: { id: o.identity.id }, data: { status: 'disabled' } })
    await settle()
    const off = await call(url(o.route.pathPrefix, '/orders'), { token })
    expect(off.status).toBe(403)
    expect(off.json.detail).toMatch(/not active/)
    await db.identity.update({ where: { id: o.identity.id }, data: { status: 'active' } })
  })
})
