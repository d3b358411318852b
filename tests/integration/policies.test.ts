import { randomUUID } from 'node:crypto'
import { SignJWT } from 'jose'
import { Writable } from 'node:stream'
import fc from 'fast-check'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { setApiLogDestination } from '@/lib/api/log'
import { POST as tokenPOST } from '@/app/api/v1/oauth/token/route'
import { db } from '@/lib/db'
import { ConflictError, ForbiddenError, ValidationError } from '@/lib/errors'
import { clearExchangeCache, exchangeToken, OAuthError } from '@/lib/federation/exchange'
import { configureKeyCache } from '@/lib/federation/keys'
import { createProvider, createRule } from '@/lib/federation/mutations'
import { createRoute } from '@/lib/gateway/mutations'
import { routeBodySchema } from '@/lib/gateway/schemas'
import { decidePolicy, VERSION_CHECK_MS } from '@/lib/policies/current'
import { CompiledPolicies, type IdentityAttrs } from '@/lib/policies/engine'
import { POLICY_EXAMPLES } from '@/lib/policies/examples'
import { savePolicies } from '@/lib/policies/mutations'
import { getPolicies, listPolicyVersions, simulatePolicies, targetOf } from '@/lib/policies/queries'
import { apiCallRequest, gatewayCallRequest, policyRequest } from '@/lib/policies/request'
import { POLICY_ACTIONS, TOKEN_KINDS } from '@/lib/policies/schema'
import { rollupIdentities } from '@/lib/inventory/rollup'
import { prismaSql } from '@/lib/sql/prisma'
import { addAccess, addIdentity, createOrg, engine, uid } from './fixtures'
import { Issuer, newKey, type Key } from './oidc-issuer'

// Organization policies (Cedar) enforced at token exchange, with a real OIDC issuer on loopback (the pattern of
// federation.test.ts): each identity has a rule matching tokens whose `sub` is its name.
type Org = Awaited<ReturnType<typeof createOrg>>
let a: Org
let b: Org
const issuer = new Issuer()
let key: Key
let audience: string
let routeId: string
const ids: Record<string, { id: string; name: string }> = {}

const sec = (d: Date) => Math.floor(d.getTime() / 1000)
async function subjectToken(sub: string, at = new Date()) {
  return new SignJWT({ iss: issuer.url, aud: audience, sub, jti: randomUUID(), iat: sec(at), exp: sec(at) + 300 })
    .setProtectedHeader({ alg: key.alg, kid: key.kid, typ: 'JWT' })
    .sign(key.privateKey)
}
const form = async (who: string, extra: Record<string, string> = {}, at?: Date) =>
  new URLSearchParams({
    grant_type: 'urn:ietf:params:oauth:grant-type:token-exchange',
    subject_token_type: 'urn:ietf:params:oauth:token-type:jwt',
    subject_token: await subjectToken(ids[who].name, at),
    ...extra,
  })

/** One exchange through the route handler: status and body. */
async function exchange(who: string, extra: Record<string, string> = {}) {
  const res = await tokenPOST(new Request('http://localhost/api/v1/oauth/token', { method: 'POST', body: await form(who, extra) }))
  return { status: res.status, json: (await res.json()) as Record<string, string> }
}
/** One exchange at a given time (exchangeToken with `now`): issued, or the refusal's reason. */
async function exchangeAt(who: string, at: Date, extra: Record<string, string> = {}) {
  try {
    await exchangeToken(await form(who, extra, at), { now: at })
    return 'issued'
  } catch (e) {
    if (e instanceof OAuthError) return e.reason ?? e.error
    throw e
  }
}

const save = (o: Org, text: string, extra: { summary?: string; baseVersion?: number } = {}) =>
  savePolicies(o.ctx('admin'), { text, source: 'editor', ...extra })

beforeAll(async () => {
  setApiLogDestination(new Writable({ write: (_c, _e, cb) => cb() }))
  configureKeyCache({ cooldownMs: 0 })
  await issuer.start()
  key = await newKey('ES256', 'k1')
  issuer.published = [key]
  a = await createOrg('Policies A')
  b = await createOrg('Policies B')
  audience = `${issuer.url}/aud/${a.org.slug}`
  const route = await createRoute(
    a.ctx('admin'),
    routeBodySchema.parse({ name: uid('prod-api-'), pathPrefix: `/${uid('p')}`, upstreamUrl: 'https://prod.example', environment: 'production' }),
  )
  routeId = route.id
  const provider = await createProvider(a.ctx('admin'), {
    name: 'Cluster',
    issuer: issuer.url,
    audiences: [audience],
    jwksUri: `${issuer.url}/jwks`,
    preset: 'generic',
    status: 'active',
  })
  const people = a.people
  const seeds: Record<string, Parameters<typeof addIdentity>[2]> = {
    ownedProd: { kind: 'ci_cd', environment: 'production', ownerId: people.member.id },
    unowned: { kind: 'ci_cd', environment: 'production', ownerId: null },
    ownedStaging: { kind: 'workload', environment: 'staging', ownerId: people.member.id },
    privileged: { kind: 'service_account', environment: 'production', ownerId: people.member.id, privileged: true },
    agent: { kind: 'ai_agent', environment: 'production', ownerId: people.member.id },
  }
  for (const [k, s] of Object.entries(seeds)) {
    const row = await addIdentity(a.org.id, a.source.id, { name: uid(`${k}-`), ...s })
    ids[k] = { id: row.id, name: row.name }
    await createRule(a.ctx('admin'), {
      providerId: provider.id,
      name: k,
      identityId: row.id,
      condition: `context.claims.sub == "${row.name}"`,
      scopes: ['identities:read', 'gateway:call'],
      audiences: ['custodian-api', `gateway:${routeId}`],
      maxTtlSeconds: 3600,
      status: 'active',
    })
  }
  // `privileged` is the roll-up of the identity's grants: a privileged grant makes it so.
  await addAccess(a, ids.privileged.id, { privileged: true })
  await db.$transaction((tx) => rollupIdentities(prismaSql(tx), [ids.privileged.id]))
  expect((await db.identity.findUniqueOrThrow({ where: { id: ids.privileged.id } })).privileged).toBe(true)
  clearExchangeCache()
})

afterAll(async () => {
  setApiLogDestination(undefined)
  await issuer.stop()
})

describe(`organization policies at token exchange (${engine})`, () => {
  it('without policies everything the rules allow is issued; a forbid beats a permit, refused as invalid_request and recorded', async () => {
    expect((await getPolicies(a.ctx('auditor'))).version).toBe(0)
    expect((await exchange('ownedProd')).status).toBe(200)
    await save(
      a,
      'permit (principal, action, resource);\n\n@id("no-ci")\nforbid (principal, action == Action::"exchange", resource) when { principal.kind == "ci_cd" };\n',
    )
    const r = await exchange('ownedProd')
    expect(r.status).toBe(400)
    expect(r.json.error).toBe('invalid_request')
    expect(r.json.error_description).toContain('“no-ci”')
    const row = await db.tokenExchange.findFirst({ where: { orgId: a.org.id, identityId: ids.ownedProd.id }, orderBy: { at: 'desc' } })
    expect(row).toMatchObject({ outcome: 'refused', reason: 'policy-denied' })
    const audit = await db.auditEvent.findFirst({ where: { orgId: a.org.id, action: 'federation.exchange-refused' }, orderBy: { seq: 'desc' } })
    expect(JSON.parse(audit!.details)).toMatchObject({ reason: 'policy-denied' })
    expect(audit!.targetId).toBe(ids.ownedProd.id)
    // The same kind's other identities too; another kind is still issued (the permit alone is not what allows: the baseline does).
    expect((await exchange('unowned')).status).toBe(400)
    expect((await exchange('ownedStaging')).status).toBe(200)
  })

  it('each ready-made example refuses the exchange it describes and lets the others through', async () => {
    const example = (id: string) => POLICY_EXAMPLES.find((e) => e.id === id)!.text
    await save(a, example('owner-required'))
    expect((await exchange('unowned')).json.error_description).toContain('owner-required')
    expect((await exchange('ownedProd')).status).toBe(200)

    await save(a, example('production-isolation'))
    const gw = { audience: `gateway:${routeId}`, scope: 'gateway:call' }
    const refused = await exchange('ownedStaging', gw)
    expect(refused.status).toBe(400)
    expect(refused.json.error_description).toContain('production-isolation')
    expect((await exchange('ownedProd', gw)).status).toBe(200)
    expect((await exchange('ownedStaging')).status).toBe(200) // the API is not a production target

    await save(a, example('privileged-short-ttl'))
    expect((await exchange('privileged', { expires_in: '900' })).json.error_description).toContain('privileged-short-ttl')
    expect((await exchange('privileged', { expires_in: '300' })).status).toBe(200)
    expect((await exchange('ownedProd', { expires_in: '900' })).status).toBe(200)

    await save(a, example('agents-office-hours'))
    const sundayNight = new Date('2026-11-29T03:00:00Z')
    const wednesdayMorning = new Date('2026-12-02T10:00:00Z')
    expect(await exchangeAt('agent', sundayNight)).toBe('policy-denied')
    expect(await exchangeAt('agent', wednesdayMorning)).toBe('issued')
    expect(await exchangeAt('ownedProd', sundayNight)).toBe('issued')

    // All four together, as the page inserts them.
    await save(a, POLICY_EXAMPLES.map((e) => e.text).join('\n\n'))
    expect(await exchangeAt('unowned', wednesdayMorning)).toBe('policy-denied')
    expect(await exchangeAt('ownedProd', wednesdayMorning)).toBe('issued')
  })

  it('a change takes effect for the next exchange, here at once and in another process within a second', async () => {
    await save(a, '')
    expect((await exchange('agent')).status).toBe(200)
    await save(a, '@id("stop")\nforbid (principal, action, resource);')
    expect((await exchange('agent')).json.error_description).toContain('“stop”')
    await save(a, '')
    expect((await exchange('agent')).status).toBe(200)
    // Another process saves (written straight to the database, this process's cache not told): applied within VERSION_CHECK_MS.
    const head = await db.orgPolicy.findUniqueOrThrow({ where: { orgId: a.org.id } })
    await db.orgPolicy.update({
      where: { orgId: a.org.id },
      data: { text: '@id("elsewhere")\nforbid (principal, action, resource);', version: head.version + 1 },
    })
    await new Promise((r) => setTimeout(r, VERSION_CHECK_MS + 100))
    clearExchangeCache()
    expect((await exchange('agent')).json.error_description).toContain('“elsewhere”')
    await save(a, '')
  })

  it('another organization’s policies never apply', async () => {
    await save(a, '')
    await save(b, '@id("b-stops-everything")\nforbid (principal, action, resource);')
    expect((await exchange('ownedProd')).status).toBe(200)
    expect((await decidePolicy(b.org.id, policyRequest('exchange', attrs(), { kind: 'api', environment: 'unknown', name: 'x' }, fields()))).decision).toBe(
      'deny',
    )
  })
})

describe(`saving policies (${engine})`, () => {
  it('refuses invalid text with the validator’s messages (line and column) and saves nothing', async () => {
    const o = await createOrg('Policies invalid')
    const bad = [
      'forbid (principal, action, resource) when { principal.ownr };',
      'forbid (principal, action, resource) when { principal.owned == };',
      '@id("x")\nforbid (principal, action, resource);\n@id("x")\nforbid (principal, action, resource);',
      '@id("mixed")\npermit (principal, action == Action::"exchange", resource) when { context.method == "GET" };',
    ]
    for (const text of bad) {
      const err = await save(o, text).catch((e: unknown) => e)
      expect(err).toBeInstanceOf(ValidationError)
      expect((err as ValidationError).fieldErrors.text.length).toBeGreaterThan(0)
    }
    const e1 = (await save(o, bad[0]).catch((e: unknown) => e)) as ValidationError
    expect(e1.fieldErrors.text[0]).toMatch(
      /^Line 1, column \d+, policy policy0: attribute `ownr` on entity type `Identity` not found \(did you mean `owned`\?\)/,
    )
    const e4 = (await save(o, bad[3]).catch((e: unknown) => e)) as ValidationError
    expect(e4.fieldErrors.text[0]).toContain('policy mixed')
    expect(e4.fieldErrors.text[0]).toContain('method')
    expect(await db.orgPolicy.count({ where: { orgId: o.org.id } })).toBe(0)
    expect(await db.orgPolicyVersion.count({ where: { orgId: o.org.id } })).toBe(0)
    expect(await db.auditEvent.count({ where: { orgId: o.org.id, action: 'policy.update' } })).toBe(0)
  })

  it('keeps every version with its author and summary; audits each save with the diff; refuses members, auditors and a stale base', async () => {
    const o = await createOrg('Policies versions')
    await expect(savePolicies(o.ctx('member'), { text: '', source: 'editor' })).rejects.toThrow(ForbiddenError)
    await expect(savePolicies(o.ctx('auditor'), { text: '', source: 'editor' })).rejects.toThrow(ForbiddenError)
    const v1 = await save(o, POLICY_EXAMPLES[0].text, { baseVersion: 0 })
    expect(v1).toMatchObject({ version: 1, summary: 'Added owner-required' })
    const v2 = await save(o, `${POLICY_EXAMPLES[0].text}\n\n${POLICY_EXAMPLES[1].text}`, { baseVersion: 1, summary: 'Isolate production' })
    expect(v2).toMatchObject({ version: 2, summary: 'Isolate production' })
    await expect(save(o, '', { baseVersion: 1 })).rejects.toThrow(ConflictError)
    const versions = await listPolicyVersions(o.ctx('auditor'))
    expect(versions.map((v) => [v.version, v.author, v.summary])).toEqual([
      [2, o.people.admin.email, 'Isolate production'],
      [1, o.people.admin.email, 'Added owner-required'],
    ])
    expect(versions[0].removed).toBe(0)
    expect(versions[0].diff.filter((l) => l.kind === 'add').map((l) => l.text)).toContain('@id("production-isolation")')
    const audits = await db.auditEvent.findMany({ where: { orgId: o.org.id, action: 'policy.update' }, orderBy: { seq: 'asc' } })
    expect(audits).toHaveLength(2)
    expect(audits[1]).toMatchObject({ actorId: o.people.admin.id, targetLabel: 'version 2' })
    const d = JSON.parse(audits[1].details) as { diff: string; version: number; previousVersion: number }
    expect(d).toMatchObject({ version: 2, previousVersion: 1 })
    expect(d.diff).toContain('+@id("production-isolation")')
    expect(d.diff).toContain('--- policies.cedar\tversion 1')
    expect((await getPolicies(o.ctx('member'))).version).toBe(2)
    // Import: a .cedar file becomes a new version (CRLF line ends normalized); the same text again changes nothing.
    const file = `${POLICY_EXAMPLES[2].text.replace(/\n/g, '\r\n')}\r\n`
    const v3 = await savePolicies(o.ctx('admin'), { text: file, source: 'import', fileName: 'prod.cedar' })
    expect(v3).toMatchObject({
      version: 3,
      changed: true,
      summary: 'Imported prod.cedar: added privileged-short-ttl; removed owner-required, production-isolation',
    })
    expect((await getPolicies(o.ctx('admin'))).text).toBe(`${POLICY_EXAMPLES[2].text}\n`)
    expect(await savePolicies(o.ctx('admin'), { text: file, source: 'import', fileName: 'prod.cedar' })).toMatchObject({ version: 3, changed: false })
    expect(await db.auditEvent.count({ where: { orgId: o.org.id, action: 'policy.update' } })).toBe(3)
    await expect(savePolicies(o.ctx('admin'), { text: 'permit (principal, action, resource) when { context.nope };', source: 'import' })).rejects.toThrow(
      ValidationError,
    )
    expect(await db.orgPolicyVersion.count({ where: { orgId: o.org.id } })).toBe(3)
  })
})

describe(`the simulator asks what enforcement asks (${engine})`, () => {
  it('an inventory identity and a gateway route: the same decision and policies as the exchange', async () => {
    await save(a, POLICY_EXAMPLES.map((e) => e.text).join('\n\n'))
    const sim = await simulatePolicies(a.ctx('auditor'), {
      action: 'exchange',
      identityId: ids.ownedStaging.id,
      target: `gateway:${routeId}`,
      scopes: ['gateway:call'],
      ttlSeconds: 900,
      task: '',
      method: 'GET',
      path: '/',
      operation: '',
      at: new Date('2026-12-02T10:00:00Z'),
    })
    expect(sim).toMatchObject({ decision: 'deny', policies: ['production-isolation'] })
    expect(await exchangeAt('ownedStaging', new Date('2026-12-02T10:00:00Z'), { audience: `gateway:${routeId}`, scope: 'gateway:call' })).toBe('policy-denied')
    // Another organization's identity is not found.
    await expect(
      simulatePolicies(b.ctx('admin'), {
        ...sim.request,
        action: 'exchange',
        identityId: ids.ownedStaging.id,
        target: 'custodian-api',
        scopes: [],
        ttlSeconds: 1,
        task: '',
        method: 'GET',
        path: '/',
        operation: '',
      }),
    ).rejects.toThrow('not found')
    await save(a, '')
  })

  it('property: over random requests the simulator’s decision equals the enforced decision function’s (and an uncached evaluation)', async () => {
    const sets = [
      POLICY_EXAMPLES.map((e) => e.text).join('\n\n'),
      'permit (principal, action, resource);\n@id("deny-prod-writes")\nforbid (principal, action == Action::"gateway_call", resource) when { resource.environment == "production" && context.method != "GET" };',
      '@id("scopes")\nforbid (principal, action == Action::"exchange", resource) when { context.scopes.contains("identities:write") && !context.hasTask };\n@id("api-ops")\nforbid (principal, action == Action::"api_call", resource) when { context.operation like "delete*" && principal.kind != "bot" };',
      // What the gateway and the API add to the context: the address, the token's kind and task, unusual use, the scope.
      '@id("unusual")\nforbid (principal, action == Action::"gateway_call", resource) when { context.unusual };\n' +
        '@id("net")\nforbid (principal, action == Action::"gateway_call", resource) when { resource.environment == "production" } unless { context.sourceIp.isInRange(ip("10.0.0.0/8")) };\n' +
        '@id("static")\nforbid (principal, action == Action::"gateway_call", resource) when { context.tokenKind == "gateway_token" && context.method == "DELETE" };\n' +
        '@id("task")\nforbid (principal, action == Action::"gateway_call", resource) when { context.tokenKind == "access_token" && !context.hasTask && principal.kind == "ai_agent" };\n' +
        '@id("api-scope")\nforbid (principal, action == Action::"api_call", resource) when { context.scope == "identities:write" && context.task != "deploy" };',
    ]
    const route = await targetOf(a.org.id, `gateway:${routeId}`)
    const arb = fc.record({
      action: fc.constantFrom(...POLICY_ACTIONS),
      identity: fc.record({
        kind: fc.constantFrom('ci_cd', 'ai_agent', 'bot', 'workload'),
        environment: fc.constantFrom('production', 'staging', 'unknown'),
        owned: fc.boolean(),
        privileged: fc.boolean(),
        name: fc.constantFrom('svc-a', 'svc-b'),
      }),
      target: fc.constantFrom('custodian-api', `gateway:${routeId}`),
      scopes: fc.subarray(['identities:read', 'identities:write', 'gateway:call']),
      ttlSeconds: fc.integer({ min: 1, max: 3600 }),
      task: fc.constantFrom('', 'deploy'),
      method: fc.constantFrom('GET', 'POST', 'DELETE'),
      path: fc.constantFrom('/', '/orders'),
      operation: fc.constantFrom('listIdentities', 'deleteIdentity'),
      at: fc.date({ min: new Date('2026-01-01T00:00:00Z'), max: new Date('2026-12-31T00:00:00Z'), noInvalidDate: true }),
      sourceIp: fc.oneof(fc.ipV4(), fc.constantFrom('10.1.2.3', '127.0.0.1', '::1', '2001:db8::7')),
      tokenKind: fc.constantFrom(...TOKEN_KINDS),
      unusual: fc.boolean(),
      scope: fc.constantFrom('', 'identities:read', 'identities:write'),
    })
    for (const text of sets) {
      const { version } = await save(a, text)
      const reference = new CompiledPolicies(text, version)
      await fc.assert(
        fc.asyncProperty(arb, async (input) => {
          const sim = await simulatePolicies(a.ctx('auditor'), input)
          const resource = input.target === 'custodian-api' ? { kind: 'api' as const, environment: 'unknown', name: 'custodian-api' } : route!
          const principal = input.identity as IdentityAttrs
          // The request each enforcement point builds: the gateway's and the API's own builders, the exchange's policyRequest.
          const req =
            input.action === 'gateway_call'
              ? gatewayCallRequest(principal, resource, { ...input, task: input.task || null })
              : input.action === 'api_call'
                ? apiCallRequest(
                    { ...principal, ownerId: principal.owned ? 'someone' : null },
                    { operation: input.operation, method: input.method, scope: input.scope, task: input.task || null, at: input.at },
                  )
                : policyRequest(input.action, principal, resource, input)
          expect(req).toEqual(sim.request)
          const enforced = await decidePolicy(a.org.id, req)
          expect([sim.decision, sim.policies]).toEqual([enforced.decision, enforced.policies])
          const fresh = reference['evaluate'](req)
          expect([enforced.decision, enforced.policies]).toEqual([fresh.decision, fresh.policies])
        }),
        { numRuns: 150 },
      )
    }
    await save(a, '')
  })
})

function attrs(over: Partial<IdentityAttrs> = {}): IdentityAttrs {
  return { kind: 'ci_cd', environment: 'production', owned: true, privileged: false, name: 'x', ...over }
}
function fields() {
  return { scopes: [], ttlSeconds: 60, task: '', method: 'GET', path: '/', operation: '', at: new Date() }
}
