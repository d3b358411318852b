import { randomUUID } from 'node:crypto'
import { Writable } from 'node:stream'
import { SignJWT } from 'jose'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { POST as tokenPOST } from '@/app/api/v1/oauth/token/route'
import { createApiToken } from '@/lib/api-tokens/mutations'
import { setApiLogDestination } from '@/lib/api/log'
import { listFindingsOp } from '@/lib/api/v1/findings'
import { listIdentitiesOp } from '@/lib/api/v1/identities'
import { db } from '@/lib/db'
import { clearExchangeCache } from '@/lib/federation/exchange'
import { configureKeyCache } from '@/lib/federation/keys'
import { createProvider, createRule } from '@/lib/federation/mutations'
import { GATEWAY_UNUSUAL_RULE } from '@/lib/findings/rules'
import { POLICY_EXAMPLES } from '@/lib/policies/examples'
import { savePolicies } from '@/lib/policies/mutations'
import { simulatePolicies } from '@/lib/policies/queries'
import { apiCaller } from './api-client'
import { addIdentity, engine, uid } from './fixtures'
import { call, gatewayOrg, spawnGateway, startUpstream, within, type Upstream } from './gateway-setup'
import { Issuer, newKey, type Key } from './oidc-issuer'

// Organization policies (Cedar) enforced at every gateway call (action gateway_call) in a real gateway process, and at
// every /api/v1 call made with an exchanged access token (action api_call). Workload tokens come from a real token
// exchange against an OIDC issuer on loopback; the upstream is a real HTTP server on loopback.

let upstream: Upstream
let gateway: Awaited<ReturnType<typeof spawnGateway>>
let o: Awaited<ReturnType<typeof gatewayOrg>>
const issuer = new Issuer()
let key: Key
let audience: string
const sec = (d: number) => Math.floor(d / 1000)

const save = (text: string) => savePolicies(o.ctx('admin'), { text, source: 'editor' })
const example = (id: string) => POLICY_EXAMPLES.find((e) => e.id === id)!.text

async function subjectToken(sub: string, lifetimeSeconds = 300) {
  const now = Date.now()
  return new SignJWT({ iss: issuer.url, aud: audience, sub, jti: randomUUID(), iat: sec(now), exp: sec(now) + lifetimeSeconds })
    .setProtectedHeader({ alg: key.alg, kid: key.kid, typ: 'JWT' })
    .sign(key.privateKey)
}
/** A real RFC 8693 exchange through the route handler. */
async function exchange(extra: Record<string, string>, lifetimeSeconds?: number) {
  const body = new URLSearchParams({
    grant_type: 'urn:ietf:params:oauth:grant-type:token-exchange',
    subject_token_type: 'urn:ietf:params:oauth:token-type:jwt',
    subject_token: await subjectToken(o.identity.name, lifetimeSeconds),
    ...extra,
  })
  const res = await tokenPOST(new Request('http://localhost/api/v1/oauth/token', { method: 'POST', body }))
  return { status: res.status, json: (await res.json()) as Record<string, string> }
}
const orders = (path = '/orders') => `${gateway.url}${o.route.pathPrefix}${path}`

beforeAll(async () => {
  setApiLogDestination(new Writable({ write: (_c, _e, cb) => cb() }))
  configureKeyCache({ cooldownMs: 0 })
  upstream = await startUpstream()
  o = await gatewayOrg(upstream.url)
  await issuer.start()
  key = await newKey('ES256', 'k1')
  issuer.published = [key]
  audience = `${issuer.url}/aud/${o.org.slug}`
  const provider = await createProvider(o.ctx('admin'), {
    name: 'Cluster',
    issuer: issuer.url,
    audiences: [audience],
    jwksUri: `${issuer.url}/jwks`,
    preset: 'generic',
    status: 'active',
  })
  await createRule(o.ctx('admin'), {
    providerId: provider.id,
    name: 'deploy',
    identityId: o.identity.id,
    condition: `context.claims.sub == "${o.identity.name}"`,
    scopes: ['identities:read', 'findings:read', 'gateway:call'],
    audiences: ['custodian-api', `gateway:${o.route.id}`],
    maxTtlSeconds: 3600,
    status: 'active',
  })
  clearExchangeCache()
  gateway = await spawnGateway()
})

afterAll(async () => {
  setApiLogDestination(undefined)
  await gateway?.stop()
  await upstream?.close()
  await issuer.stop()
})

describe(`organization policies at the gateway (${engine})`, () => {
  it('a forbid on gateway_call refuses calls within a second of being saved, recorded with the policy; removing it re-allows', async () => {
    expect((await call(orders(), { token: o.token, method: 'POST' })).status).toBe(200)
    await save('@id("no-writes")\nforbid (principal, action == Action::"gateway_call", resource) when { context.method != "GET" };')
    const took = await within(1000, async () => (await call(orders(), { token: o.token, method: 'POST' })).status === 403)
    expect(took).toBeLessThan(1000)
    const refused = await call(orders('/orders/7'), { token: o.token, method: 'POST' })
    expect(refused.status).toBe(403)
    expect(refused.headers.get('content-type')).toBe('application/problem+json')
    expect(refused.json.detail).toBe('The organization’s policy “no-writes” forbids this call.')
    expect((await call(orders(), { token: o.token })).status).toBe(200)
    // Recorded like any refusal (the child process writes its batch every second).
    const path = `${o.route.pathPrefix}/orders/7`
    await within(5000, async () => (await db.gatewayCall.count({ where: { orgId: o.org.id, path, status: 403 } })) === 1)
    const rec = await db.gatewayCall.findFirstOrThrow({ where: { orgId: o.org.id, path, status: 403 } })
    expect(rec).toMatchObject({ decision: 'deny', ruleId: 'policy:no-writes', identityId: o.identity.id, method: 'POST' })
    expect(rec.reason).toContain('“no-writes”')
    const upstreamCalls = upstream.calls.length
    await save('')
    await within(1000, async () => (await call(orders(), { token: o.token, method: 'POST' })).status === 200)
    expect(upstream.calls.length).toBe(upstreamCalls + 1) // the refused calls never reached the upstream
  })

  it('context: the token kind (a gateway token vs an exchanged one, with its task) and the caller’s address', async () => {
    const ex = await exchange({ audience: `gateway:${o.route.id}`, scope: 'gateway:call', task: 'nightly sync' })
    expect(ex.status).toBe(200)
    const jwt = ex.json.access_token
    await save(
      '@id("tasks-only")\nforbid (principal, action == Action::"gateway_call", resource) when { context.tokenKind == "access_token" && context.task != "nightly sync" };\n' +
        '@id("no-static-tokens")\nforbid (principal, action == Action::"gateway_call", resource) when { context.tokenKind == "gateway_token" && context.method == "POST" };',
    )
    await within(1000, async () => (await call(orders(), { token: o.token, method: 'POST' })).status === 403)
    expect((await call(orders(), { token: o.token, method: 'POST' })).json.detail).toContain('“no-static-tokens”')
    expect((await call(orders(), { token: jwt, method: 'POST' })).status).toBe(200)
    const other = await exchange({ audience: `gateway:${o.route.id}`, scope: 'gateway:call', task: 'something else' })
    const r = await call(orders(), { token: other.json.access_token })
    expect(r.status).toBe(403)
    expect(r.json.detail).toContain('“tasks-only”')
    // The address: the test calls from loopback; a policy on the network sees it.
    await save('@id("office-only")\nforbid (principal, action == Action::"gateway_call", resource) unless { context.sourceIp.isInRange(ip("10.0.0.0/8")) };')
    await within(1000, async () => (await call(orders(), { token: o.token })).status === 403)
    await save(
      '@id("office-only")\nforbid (principal, action == Action::"gateway_call", resource) unless { context.sourceIp.isInRange(ip("10.0.0.0/8")) || context.sourceIp.isLoopback() };',
    )
    await within(1000, async () => (await call(orders(), { token: o.token })).status === 200)
    await save('')
  })

  it('context.unusual: an open unusual-use finding refuses the identity’s calls at once; resolving it re-allows', async () => {
    await save(example('unusual-gateway-use'))
    await within(1000, async () => (await call(orders(), { token: o.token })).status === 200)
    const finding = await db.finding.create({
      data: {
        orgId: o.org.id,
        identityId: o.identity.id,
        rule: GATEWAY_UNUSUAL_RULE,
        owaspCode: 'NHI7',
        severity: 'high',
        severityRank: 1,
        title: 'Unusual gateway use',
        detail: '3 calls from 203.0.113.0/24, a network it never called from',
      },
    })
    const took = await within(1000, async () => (await call(orders(), { token: o.token })).status === 403)
    expect(took).toBeLessThan(1000)
    expect((await call(orders(), { token: o.token })).json.detail).toContain('“unusual-gateway-use”')
    // Another identity of the organization, without a finding, is not affected.
    const other = await addIdentity(o.org.id, o.source.id, { name: uid('other-') })
    const sim = await simulatePolicies(o.ctx('auditor'), {
      action: 'gateway_call',
      identityId: other.id,
      target: `gateway:${o.route.id}`,
      scopes: [],
      ttlSeconds: 900,
      task: '',
      method: 'GET',
      path: '/orders',
      operation: '',
      unusual: false,
    })
    expect(sim.decision).toBe('allow')
    await db.finding.update({ where: { id: finding.id }, data: { status: 'resolved', resolvedAt: new Date() } })
    await within(1000, async () => (await call(orders(), { token: o.token })).status === 200)
    await save('')
  })

  it('an organization without policies: calls as before (a policy of another organization never applies)', async () => {
    const b = await gatewayOrg(upstream.url)
    await savePolicies(b.ctx('admin'), { text: '@id("stop")\nforbid (principal, action, resource);', source: 'editor' })
    await within(1000, async () => (await call(`${gateway.url}${b.route.pathPrefix}/orders`, { token: b.token })).status === 403)
    expect((await call(orders(), { token: o.token, method: 'POST' })).status).toBe(200)
  })
})

describe(`organization policies at the API for workload tokens (${engine})`, () => {
  const api = apiCaller(() => '')

  it('api_call: a forbid refuses an exchanged token on one operation and not another; a cust_ API token is unaffected', async () => {
    const ex = await exchange({ scope: 'identities:read findings:read' })
    expect(ex.status).toBe(200)
    const jwt = ex.json.access_token
    expect((await api(listFindingsOp, { token: jwt, query: { limit: '1' } })).status).toBe(200)
    await save('@id("no-findings-for-workloads")\nforbid (principal, action == Action::"api_call", resource) when { context.operation == "listFindings" };')
    const refused = await api(listFindingsOp, { token: jwt, query: { limit: '1' } })
    expect(refused.status).toBe(403)
    expect(refused.res.headers.get('content-type')).toBe('application/problem+json')
    expect(refused.json?.detail).toBe('The organization’s policy “no-findings-for-workloads” forbids this call.')
    expect((await api(listIdentitiesOp, { token: jwt, query: { limit: '1' } })).status).toBe(200)
    const audit = await db.auditEvent.findFirstOrThrow({
      where: { orgId: o.org.id, action: 'api.listFindings', outcome: 'denied', actorType: 'workload' },
      orderBy: { seq: 'desc' },
    })
    expect(JSON.parse(audit.details)).toMatchObject({ reason: 'policy-denied', policies: ['no-findings-for-workloads'] })
    expect(audit.details).not.toContain(jwt)
    // An API token is not an identity: its scopes are the whole answer.
    const t = await createApiToken(o.ctx('admin'), { name: uid('tok-'), scopes: ['findings:read'], expiresInDays: 1, allowedIps: [] })
    expect((await api(listFindingsOp, { token: t.token, query: { limit: '1' } })).status).toBe(200)
    // The context: the scope the operation needs, and the simulator says the same.
    await save('@id("scope")\nforbid (principal, action == Action::"api_call", resource) when { context.scope == "identities:read" && !context.hasTask };')
    expect((await api(listIdentitiesOp, { token: jwt, query: { limit: '1' } })).status).toBe(403)
    expect((await api(listFindingsOp, { token: jwt, query: { limit: '1' } })).status).toBe(200)
    const sim = await simulatePolicies(o.ctx('auditor'), {
      action: 'api_call',
      identityId: o.identity.id,
      target: 'custodian-api',
      scopes: [],
      ttlSeconds: 900,
      task: '',
      method: 'GET',
      path: '/',
      operation: 'listIdentities',
      scope: 'identities:read',
    })
    expect(sim).toMatchObject({ decision: 'deny', policies: ['scope'] })
    await save('')
    expect((await api(listIdentitiesOp, { token: jwt, query: { limit: '1' } })).status).toBe(200)
  })

  it('a subject token that would outlive its exchange record (the retention) is refused: a replay can never pass once it is deleted', async () => {
    const tooLong = await exchange({ scope: 'identities:read' }, 500 * 86_400)
    expect(tooLong.status).toBe(400)
    expect(tooLong.json.error).toBe('invalid_request')
    expect(tooLong.json.error_description).toMatch(/more than 400 days/)
    expect((await db.tokenExchange.findFirstOrThrow({ where: { orgId: o.org.id }, orderBy: { at: 'desc' } })).reason).toBe('lifetime-too-long')
  })
})
