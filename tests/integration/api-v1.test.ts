import { execFileSync } from 'node:child_process'
import { createHash } from 'node:crypto'
import fs from 'node:fs'
import { Writable } from 'node:stream'
import fc from 'fast-check'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { authenticate } from '@/lib/api/authenticate'
import { TOKEN_CACHE_MS } from '@/lib/api-tokens/cache'
import { setApiLogDestination } from '@/lib/api/log'
import { SECRET_SCANNING_PATH } from '@/lib/api/openapi'
import { defineOperation, type Operation } from '@/lib/api/operation'
import { apiRoute, MAX_BODY_BYTES } from '@/lib/api/route'
import { OPERATIONS } from '@/lib/api/v1/operations'
import { createApiToken, revokeApiToken, rotateApiToken } from '@/lib/api-tokens/mutations'
import { listApiTokens } from '@/lib/api-tokens/queries'
import { API_SCOPES, createApiTokenSchema, type ApiScope } from '@/lib/api-tokens/schemas'
import { closePostgresPools } from '@/lib/connectors/postgresql/connector'
import { db } from '@/lib/db'
import { listIdentities } from '@/lib/inventory/queries'
import { identityListSchema } from '@/lib/inventory/schemas'
import { createTemplate, requestLease } from '@/lib/leases/mutations'
import { createTemplateSchema } from '@/lib/leases/schemas'
import pg from 'pg'
import { exportDir, exportFile } from '@/lib/reports/export-files'
import { createProvider } from '@/lib/federation/mutations'
import { createRoute, createRule } from '@/lib/gateway/mutations'
import { routeBodySchema, ruleBodySchema } from '@/lib/gateway/schemas'
import { ConflictError, ForbiddenError, NotFoundError } from '@/lib/errors'
import { ModelName } from '@/lib/generated/sqlite/internal/prismaNamespace'
import { z } from 'zod'
import { createSubscription, sendTestEvent } from '@/lib/webhooks/mutations'
import type { WebhookEvent } from '@/lib/webhooks/schemas'
import { apiCaller, doc, validate } from './api-client'
import { addAccess, addIdentity, createOrg, uid } from './fixtures'

const logLines: string[] = []
setApiLogDestination(
  new Writable({
    write(chunk, _enc, cb) {
      logLines.push(String(chunk))
      cb()
    },
  }),
)
afterAll(() => setApiLogDestination(undefined))

// The live PostgreSQL source of the lease operations (the private test cluster's lease_target database).
const LEASE_TARGET = process.env.CUSTODIAN_TEST_PG_LEASE_URL ?? execFileSync('bash', ['scripts/pg.sh', 'url', 'lease_target'], { encoding: 'utf8' }).trim()
const lease = { sourceId: '', templateId: '', renewId: '', revokeId: '' }
afterAll(async () => {
  const c = new pg.Client({ connectionString: LEASE_TARGET })
  await c.connect()
  for (const l of await db.lease.findMany({ where: { orgId: a.org.id }, select: { roleName: true } })) {
    await c.query(`DROP OWNED BY "${l.roleName}"`).catch(() => {})
    await c.query(`DROP ROLE IF EXISTS "${l.roleName}"`)
  }
  await c.end()
  await closePostgresPools()
})

type Org = Awaited<ReturnType<typeof createOrg>>
let a: Org
let b: Org
let aIds: string[]
let bIdentity: { id: string; name: string }
let full: string
let scratchId: string
let scratchAccess: { credentialId: string; grantId: string }
let aFindingId: string
let aJobId: string
let aCampaignId: string
let aItemId: string
let aDraftCampaignId: string
let aExportId: string
let aProviderId: string
const gw = { routeId: '', scratchRouteId: '', ruleId: '' }
const wh = { subscriptionId: '', scratchId: '', deliveryId: '' }
const plaintexts: string[] = []

async function token(org: Org, scopes: readonly ApiScope[], extra: Partial<{ allowedIps: string[]; expiresInDays: number }> = {}) {
  const t = await createApiToken(org.ctx('admin'), {
    name: uid('tok-'),
    scopes: [...scopes],
    expiresInDays: extra.expiresInDays ?? 30,
    allowedIps: extra.allowedIps ?? [],
  })
  plaintexts.push(t.token)
  return t
}

const call = apiCaller(() => full)

/** Valid parameters for an operation, using organization A's data; writes change an identity (or its access) of their own. */
const ID_OF: Record<string, () => string> = {
  getOperation: () => aJobId,
  rotateCredential: () => scratchAccess.credentialId,
  revokeGrant: () => scratchAccess.grantId,
  acceptFindingRisk: () => aFindingId,
  listCampaignItems: () => aCampaignId,
  getCampaign: () => aCampaignId,
  launchCampaign: () => aDraftCampaignId,
  closeCampaign: () => aCampaignId,
  decideCampaignItems: () => aCampaignId,
  getReport: () => aExportId,
  downloadReport: () => aExportId,
  createTrustRule: () => aProviderId,
  getGatewayRoute: () => gw.routeId,
  updateGatewayRoute: () => gw.routeId,
  deleteGatewayRoute: () => gw.scratchRouteId,
  listGatewayRules: () => gw.routeId,
  createGatewayRule: () => gw.routeId,
  deleteGatewayRule: () => gw.ruleId,
  getWebhook: () => wh.subscriptionId,
  updateWebhook: () => wh.subscriptionId,
  deleteWebhook: () => wh.scratchId,
  listWebhookDeliveries: () => wh.subscriptionId,
  redeliverWebhook: () => wh.deliveryId,
  renewLease: () => lease.renewId,
  revokeLease: () => lease.revokeId,
}
const paramsFor = (op: Operation): Record<string, string> =>
  op.path.includes('{id}') ? { id: ID_OF[op.operationId]?.() ?? (op.method === 'get' ? aIds[0] : scratchId) } : {}
const JSON_HEADERS = { 'content-type': 'application/json' }
/** A valid body for an operation that takes one. */
const BODIES: Record<string, unknown> = {
  createIdentity: { name: 'contract-created', kind: 'bot' },
  updateIdentity: { description: 'changed by the contract test' },
  rotateCredential: { justification: 'contract test rotation' },
  revokeGrant: { justification: 'contract test revocation' },
  acceptFindingRisk: { until: new Date(Date.now() + 30 * 86_400_000).toISOString().slice(0, 10), reason: 'accepted by the contract test' },
  assignOwners: () => ({ identityIds: [scratchId], teamId: null }),
  assignOwnersByFilter: { filter: { kind: 'service_account' }, teamId: null },
  createCampaign: () => ({
    name: 'Contract campaign',
    type: 'identity',
    scope: {},
    fallbackReviewerId: a.people.governance.id,
    dueAt: new Date(Date.now() + 30 * 86_400_000).toISOString(),
  }),
  decideCampaignItems: () => ({ decisions: [{ itemId: aItemId, decision: 'unsure' }] }),
  startReport: { kind: 'inventory' },
  createTrustProvider: () => ({ name: uid('provider-'), issuer: 'https://issuer.example', audiences: [uid('https://custodian.example/')] }),
  createTrustRule: () => ({
    name: uid('rule-'),
    identityId: scratchId,
    github: { repositoryId: '892341' },
    scopes: ['identities:read'],
    audiences: ['custodian-api'],
  }),
  testTrustToken: () => ({ providerId: aProviderId, claims: { repository_id: '892341' } }),
  createGatewayRoute: { name: 'Contract route', pathPrefix: '/contract', upstreamUrl: 'https://contract.example/v1' },
  updateGatewayRoute: { status: 'disabled', ratePerSecond: 5, burst: 10 },
  createGatewayRule: { principalType: 'tag', tagKey: 'app', tagValue: 'contract', methods: ['GET'], paths: ['/items/*'] },
  createWebhook: { url: 'https://hooks.contract.example/custodian', events: ['identity.created', 'finding.opened'] },
  updateWebhook: { enabled: false },
  createCredentialTemplate: () => ({
    name: uid('template-'),
    sourceId: lease.sourceId,
    grants: ['SELECT ON public.contract_orders'],
    defaultTtlSeconds: 300,
    maxTtlSeconds: 600,
    principalType: 'identity',
    identityId: aIds[0],
  }),
  createLease: () => ({ templateId: lease.templateId, identityId: aIds[0], ttlSeconds: 120, task: 'contract test' }),
  renewLease: { ttlSeconds: 300 },
  revokeLease: {},
  putPolicies: { text: '@id("contract")\nforbid (principal, action == Action::"exchange", resource) when { !principal.owned };', summary: 'contract test' },
  simulatePolicies: () => ({ action: 'exchange', identityId: aIds[0], target: 'custodian-api', scopes: ['identities:read'] }),
}
const bodyOf = (b: unknown) => (typeof b === 'function' ? (b as () => unknown)() : b)
const bodyFor = (op: Operation) =>
  op.body
    ? { body: JSON.stringify(bodyOf(BODIES[op.operationId])), headers: JSON_HEADERS }
    : op.ndjson
      ? { body: `${JSON.stringify({ external_id: uid('bulk-'), name: uid('contract-bulk-') })}\n`, headers: { 'content-type': 'application/x-ndjson' } }
      : {}

beforeAll(async () => {
  a = await createOrg('API org A')
  b = await createOrg('API org B')
  aIds = []
  for (let i = 0; i < 5; i++) aIds.push((await addIdentity(a.org.id, a.source.id, { name: uid('a-svc-'), riskScore: 50 + i })).id)
  const bi = await addIdentity(b.org.id, b.source.id, { name: uid('b-svc-') })
  bIdentity = { id: bi.id, name: bi.name }
  scratchId = (await addIdentity(a.org.id, a.source.id, { name: uid('a-scratch-') })).id
  aFindingId = (
    await db.finding.create({
      data: { orgId: a.org.id, identityId: aIds[0], rule: 'unowned', owaspCode: 'NHI1', severity: 'high', severityRank: 1, title: 'No owner' },
    })
  ).id
  scratchAccess = await addAccess(a, scratchId)
  aProviderId = (
    await createProvider(a.ctx('admin'), {
      name: 'Contract issuer',
      issuer: 'https://contract-issuer.example',
      audiences: [uid('https://custodian.example/')],
      jwksUri: null,
      preset: 'generic',
      status: 'active',
    })
  ).id
  aJobId = (await db.job.create({ data: { orgId: a.org.id, type: 'recompute_findings', idempotencyKey: uid('contract-job-') } })).id
  aCampaignId = (await db.campaign.create({ data: { orgId: a.org.id, name: 'Contract review', type: 'identity', status: 'active' } })).id
  aItemId = (
    await db.reviewItem.create({
      data: { orgId: a.org.id, campaignId: aCampaignId, identityId: aIds[0], identityName: 'x', snapshot: '{}', reviewerId: a.people.member.id },
    })
  ).id
  aDraftCampaignId = (
    await db.campaign.create({
      data: {
        orgId: a.org.id,
        name: 'Contract draft',
        type: 'identity',
        fallbackReviewerId: a.people.governance.id,
        dueAt: new Date(Date.now() + 30 * 86_400_000),
        createdById: a.people.admin.id,
      },
    })
  ).id
  await db.finding.create({
    data: { orgId: b.org.id, identityId: bi.id, rule: 'unowned', owaspCode: 'NHI1', severity: 'high', severityRank: 1, title: 'B secret finding' },
  })
  // A finished export with its file, as the export job leaves it.
  const exportBytes = Buffer.from('id,name\n1,contract\n', 'utf8')
  const ready = await db.reportExport.create({
    data: {
      orgId: a.org.id,
      kind: 'inventory',
      format: 'csv',
      requestedById: a.people.admin.id,
      status: 'ready',
      rows: 2,
      bytes: exportBytes.length,
      sha256: createHash('sha256').update(exportBytes).digest('hex'),
      filename: 'contract-inventory.csv',
      expiresAt: new Date(Date.now() + 86_400_000),
    },
  })
  await fs.promises.mkdir(exportDir(), { recursive: true })
  await fs.promises.writeFile(exportFile(ready), exportBytes)
  await db.reportExport.update({ where: { id: ready.id }, data: { path: exportFile(ready) } })
  aExportId = ready.id
  full = (await token(a, API_SCOPES)).token
  process.env.CONTRACT_LEASE_TARGET_URL = LEASE_TARGET
  const target = new pg.Client({ connectionString: LEASE_TARGET })
  await target.connect()
  await target.query('CREATE TABLE IF NOT EXISTS public.contract_orders (id int)')
  await target.end()
  lease.sourceId = (
    await db.source.create({ data: { orgId: a.org.id, name: 'Contract PostgreSQL', type: 'postgresql', secretRef: 'CONTRACT_LEASE_TARGET_URL' } })
  ).id
  lease.templateId = (
    await createTemplate(
      a.ctx('admin'),
      createTemplateSchema.parse({
        orgSlug: a.org.slug,
        name: 'Contract template',
        sourceId: lease.sourceId,
        grants: ['SELECT ON public.contract_orders'],
        maxTtlSeconds: 3600,
        principalType: 'identity',
        identityId: aIds[0],
      }),
    )
  ).id
  const leased = () => requestLease(a.ctx('admin'), { templateId: lease.templateId, identityId: aIds[0], ttlSeconds: 60, justification: 'contract test setup' })
  lease.renewId = (await leased()).leaseId
  lease.revokeId = (await leased()).leaseId
  const route = (name: string, pathPrefix: string) =>
    createRoute(a.ctx('admin'), routeBodySchema.parse({ name, pathPrefix, upstreamUrl: 'https://orders.example' }))
  gw.routeId = (await route('Contract orders', '/contract-orders')).id
  const hook = (events: WebhookEvent[]) => createSubscription(a.ctx('admin'), { url: `https://${uid('hooks-')}.example/in`, events })
  wh.subscriptionId = (await hook(['identity.created'])).id
  wh.scratchId = (await hook(['identity.deleted'])).id
  const redeliverable = (await hook(['campaign.closed'])).id
  wh.deliveryId = (await sendTestEvent(a.ctx('admin'), redeliverable)).deliveryId
  await sendTestEvent(a.ctx('admin'), wh.subscriptionId)
  gw.scratchRouteId = (await route('Contract scratch', '/contract-scratch')).id
  gw.ruleId = (
    await createRule(a.ctx('admin'), gw.routeId, ruleBodySchema.parse({ principalType: 'identity', identityId: aIds[0], methods: ['GET'], paths: ['/*'] }))
  ).id
  await db.gatewayCall.create({
    data: {
      orgId: a.org.id,
      identityId: aIds[0],
      routeId: gw.routeId,
      at: new Date(),
      method: 'GET',
      path: '/x',
      status: 200,
      latencyMs: 1,
      decision: 'allow',
    },
  })
})

describe('API tokens (settings)', () => {
  it('creates a token shown once, stores only its hash, and audits without the secret', async () => {
    const t = await token(a, ['identities:read'], { allowedIps: ['10.0.0.0/8'] })
    expect(t.token).toMatch(/^cust_/)
    const row = await db.apiToken.findUniqueOrThrow({ where: { id: t.id } })
    expect(row.hash).not.toBe(t.token)
    expect(JSON.stringify(row)).not.toContain(t.token.slice(13, 41))
    const audit = await db.auditEvent.findFirstOrThrow({ where: { orgId: a.org.id, action: 'api-token.create', targetId: t.id } })
    expect(audit.actorId).toBe(a.people.admin.id)
    expect(audit.details).not.toContain(t.token.slice(13, 41))
    const listed = (await listApiTokens(a.ctx('admin'))).find((x) => x.id === t.id)!
    expect(listed).toMatchObject({ status: 'active', scopes: ['identities:read'], allowedIps: ['10.0.0.0/8'] })
    expect(JSON.stringify(listed)).not.toContain(row.hash)
  })

  it('refuses other roles and another organization’s token, and caps expiry at a year', async () => {
    for (const role of ['governance', 'member', 'auditor'] as const) {
      await expect(createApiToken(a.ctx(role), { name: 'x', scopes: ['audit:read'], expiresInDays: 1, allowedIps: [] })).rejects.toBeInstanceOf(ForbiddenError)
      await expect(listApiTokens(a.ctx(role))).rejects.toBeInstanceOf(ForbiddenError)
    }
    const t = await token(a, ['audit:read'])
    await expect(revokeApiToken(b.ctx('admin'), { tokenId: t.id })).rejects.toBeInstanceOf(NotFoundError)
    await expect(rotateApiToken(b.ctx('admin'), { tokenId: t.id, overlapHours: 1 })).rejects.toBeInstanceOf(NotFoundError)
    const base = { orgSlug: 'x', name: 'n', scopes: ['audit:read'] }
    expect(createApiTokenSchema.safeParse({ ...base, expiresInDays: 366 }).success).toBe(false)
    expect(createApiTokenSchema.safeParse({ ...base, expiresInDays: 365 }).success).toBe(true)
    expect(createApiTokenSchema.safeParse({ ...base, expiresInDays: 30, allowedIps: '300.1.1.1/8' }).success).toBe(false)
  })

  it('rotates with an overlap: the old secret works until it ends, then only the new one', async () => {
    const t = await token(a, ['identities:read'])
    const now = new Date()
    const r = await rotateApiToken(a.ctx('admin'), { tokenId: t.id, overlapHours: 2 }, now)
    plaintexts.push(r.token)
    expect((await authenticate(`Bearer ${t.token}`, null, 'req-test-1', { now })).actor.id).toBe(t.id)
    expect((await authenticate(`Bearer ${r.token}`, null, 'req-test-2', { now })).actor.id).toBe(t.id)
    const later = new Date(now.getTime() + 3 * 3_600_000)
    await expect(authenticate(`Bearer ${t.token}`, null, 'req-test-3', { now: later })).rejects.toMatchObject({ status: 401 })
    expect((await authenticate(`Bearer ${r.token}`, null, 'req-test-4', { now: later })).actor.id).toBe(t.id)
    // Without an overlap the old secret stops at once; a revoked token cannot be rotated back to life.
    const r2 = await rotateApiToken(a.ctx('admin'), { tokenId: t.id, overlapHours: 0 })
    plaintexts.push(r2.token)
    await expect(authenticate(`Bearer ${r.token}`, null, 'req-test-5')).rejects.toMatchObject({ status: 401 })
    await revokeApiToken(a.ctx('admin'), { tokenId: t.id })
    await expect(rotateApiToken(a.ctx('admin'), { tokenId: t.id, overlapHours: 1 })).rejects.toBeInstanceOf(ConflictError)
    expect(await db.auditEvent.count({ where: { orgId: a.org.id, targetId: t.id, action: { in: ['api-token.rotate', 'api-token.revoke'] } } })).toBe(3)
  })
})

describe('/api/v1 contract', () => {
  it('the document lists every operation, each with its scope', () => {
    // The secret scanner's intake is signed by the scanner, not called with a token (tests/integration/api-v1-secret-scanning.test.ts).
    const listed = Object.entries(doc.paths)
      .filter(([p]) => p !== SECRET_SCANNING_PATH)
      .flatMap(([p, ops]) => Object.keys(ops).map((m) => `${m} ${p}`))
    expect(listed.sort()).toEqual(OPERATIONS.map((o) => `${o.method} ${o.path}`).sort())
  })

  it.each(OPERATIONS.map((o) => [o.operationId, o] as const))('%s answers as documented, with a request id and version', async (_, op) => {
    const given = bodyFor(op)
    const r = await call(op, { params: paramsFor(op), body: given.body, headers: { ...given.headers, 'x-request-id': 'client-chosen-id-1' } })
    expect(r.status, r.text).toBe(op.success.status)
    validate(op, r.status, r.res.headers.get('content-type'), op.success.file ? r.text : r.json)
    expect(r.res.headers.get('x-request-id')).toBe('client-chosen-id-1')
    expect(r.res.headers.get('api-version')).toBe('1')
    // A bad parameter: 400 (or 404 for a path id; 422 for an unknown body field), documented, problem+json.
    const bad = await call(op, {
      params: op.path.includes('{id}') ? { id: '../etc' } : {},
      query: op.path.includes('{id}') ? {} : { nope: '1' },
      ...(op.body ? { body: '{"nope":1}', headers: JSON_HEADERS } : {}),
    })
    expect([400, 404, 422]).toContain(bad.status)
    expect(bad.res.headers.get('content-type')).toBe('application/problem+json')
    validate(op, bad.status, 'application/problem+json', bad.json)
  })

  it.each(OPERATIONS.map((o) => [o.operationId, o] as const))('%s refuses a token without its scope (403), and audits the refusal', async (_, op) => {
    const t = await token(
      a,
      API_SCOPES.filter((s) => s !== op.scope),
    )
    const r = await call(op, { token: t.token, params: paramsFor(op) })
    expect(r.status).toBe(403)
    validate(op, 403, r.res.headers.get('content-type'), r.json)
    expect(String(r.json!.detail)).toContain(op.scope)
    const denied = await db.auditEvent.findFirstOrThrow({ where: { orgId: a.org.id, actorId: t.id, outcome: 'denied' } })
    expect(denied).toMatchObject({ actorType: 'api_token', action: `api.${op.operationId}` })
    expect(JSON.parse(denied.details).requestId).toBe(r.json!.requestId)
  })

  it('refuses missing, malformed, wrong-checksum, unknown, expired and revoked tokens with 401 problem+json', async () => {
    const op = OPERATIONS[0]
    const good = await token(a, API_SCOPES)
    const flipped = good.token.slice(0, 20) + (good.token[20] === 'a' ? 'b' : 'a') + good.token.slice(21)
    const expired = await token(a, API_SCOPES)
    await db.apiToken.update({ where: { id: expired.id }, data: { expiresAt: new Date(Date.now() - 1000) } })
    const revoked = await token(a, API_SCOPES)
    await revokeApiToken(a.ctx('admin'), { tokenId: revoked.id })
    const unknown = await token(a, API_SCOPES)
    await db.apiToken.delete({ where: { id: unknown.id } })
    for (const t of [null, 'garbage', `cust_${'x'.repeat(42)}`, flipped, unknown.token, expired.token, revoked.token]) {
      const r = await call(op, { token: t })
      expect(r.status, String(t)).toBe(401)
      validate(op, 401, r.res.headers.get('content-type'), r.json)
      expect(r.res.headers.get('www-authenticate')).toMatch(/^Bearer/)
    }
    // Malformed or wrong checksum: refused before any database lookup.
    let lookups = 0
    const lookup = async () => {
      lookups++
      return null
    }
    for (const t of ['garbage', flipped, `cust_${'x'.repeat(42)}`])
      await expect(authenticate(`Bearer ${t}`, null, 'req-x', { lookup })).rejects.toMatchObject({ status: 401 })
    expect(lookups).toBe(0)
    // The uses of a revoked and an expired token are evidence.
    expect(
      await db.auditEvent.count({ where: { orgId: a.org.id, actorId: { in: [expired.id, revoked.id] }, action: 'api.authenticate', outcome: 'denied' } }),
    ).toBe(2)
  })

  it('enforces the address allowlist and records last use', async () => {
    const t = await token(a, ['identities:read'], { allowedIps: ['203.0.113.0/24', '2001:db8::/32'] })
    expect((await call(OPERATIONS[0], { token: t.token, headers: { 'x-forwarded-for': '203.0.113.9' } })).status).toBe(200)
    expect((await call(OPERATIONS[0], { token: t.token, headers: { 'x-forwarded-for': '2001:db8::1' } })).status).toBe(200)
    expect((await call(OPERATIONS[0], { token: t.token, headers: { 'x-forwarded-for': '198.51.100.1' } })).status).toBe(403)
    expect((await call(OPERATIONS[0], { token: t.token })).status).toBe(403)
    const row = await db.apiToken.findUniqueOrThrow({ where: { id: t.id } })
    expect(row.lastUsedIp).toBe('2001:db8::1')
    expect(row.lastUsedAt).not.toBeNull()
  })

  it('answers from a short per-process cache of token rows without weakening refusal: revoked here at once, elsewhere within TOKEN_CACHE_MS, expired at the second', async () => {
    const ok = (t: string, now?: Date) => authenticate(`Bearer ${t}`, '203.0.113.7', uid('req-'), now ? { now } : {})
    // Revoked through this process (Settings, the leak intake, a remediation): refused from the next call.
    const here = await token(a, ['identities:read'])
    expect((await ok(here.token)).actor.id).toBe(here.id)
    await revokeApiToken(a.ctx('admin'), { tokenId: here.id })
    await expect(ok(here.token)).rejects.toMatchObject({ status: 401 })
    // Revoked by another process (this one's cache is not told): refused once TOKEN_CACHE_MS has passed, at most.
    const elsewhere = await token(a, ['identities:read'])
    expect((await ok(elsewhere.token)).actor.id).toBe(elsewhere.id)
    await db.apiToken.update({ where: { id: elsewhere.id }, data: { revokedAt: new Date() } })
    await new Promise((r) => setTimeout(r, TOKEN_CACHE_MS + 20))
    await expect(ok(elsewhere.token)).rejects.toMatchObject({ status: 401, detail: expect.stringContaining('revoked') })
    // A scope removed elsewhere is gone within the same bound.
    const scoped = await token(a, ['identities:read', 'audit:read'])
    expect([...(await ok(scoped.token)).scopes].sort()).toEqual(['audit:read', 'identities:read'])
    await db.apiToken.update({ where: { id: scoped.id }, data: { scopes: JSON.stringify(['identities:read']) } })
    await new Promise((r) => setTimeout(r, TOKEN_CACHE_MS + 20))
    expect([...(await ok(scoped.token)).scopes]).toEqual(['identities:read'])
    // Expiry is checked against the clock on every call, cached row or not.
    const soon = await token(a, ['identities:read'])
    const row = await db.apiToken.findUniqueOrThrow({ where: { id: soon.id } })
    expect((await ok(soon.token)).actor.id).toBe(soon.id)
    await expect(ok(soon.token, new Date(row.expiresAt.getTime() + 1))).rejects.toMatchObject({ status: 401, detail: expect.stringContaining('expired') })
    // Last use is written once a minute per token and address, not per call.
    const before = await db.apiToken.findUniqueOrThrow({ where: { id: soon.id } })
    await ok(soon.token)
    await ok(soon.token)
    expect((await db.apiToken.findUniqueOrThrow({ where: { id: soon.id } })).lastUsedAt).toEqual(before.lastUsedAt)
    const minuteLater = new Date(Date.now() + 61_000)
    await ok(soon.token, minuteLater)
    expect((await db.apiToken.findUniqueOrThrow({ where: { id: soon.id } })).lastUsedAt).toEqual(minuteLater)
  })

  it('never reaches another organization: its identity is a 404 and its rows never appear', async () => {
    const get = OPERATIONS.find((o) => o.operationId === 'getIdentity')!
    const r = await call(get, { params: { id: bIdentity.id } })
    expect(r.status).toBe(404)
    validate(get, 404, r.res.headers.get('content-type'), r.json)
    for (const op of OPERATIONS.filter((o) => o.method === 'get' && !o.path.includes('{'))) {
      const list = await call(op, { query: { limit: '200' } })
      expect(list.text).not.toContain(bIdentity.id)
      expect(list.text).not.toContain(b.org.id)
    }
  })

  it('lists what the inventory lists for the same filter and order: the same identities, sources, owners and teams', async () => {
    const list = OPERATIONS.find((o) => o.operationId === 'listIdentities')!
    const queries: Record<string, string>[] = [
      {},
      { sort: 'name', dir: 'asc' },
      { sort: 'riskScore', dir: 'asc', status: 'active,disabled,deleted' },
      { owner: 'unowned' },
      { privileged: 'yes' },
      { risk: 'low', sort: 'createdAt' },
      { sort: 'lastUsedAt', dir: 'desc' },
      { q: 'a' },
    ]
    // Some owned and in a team, so the page names them.
    const [owned, teamed] = await db.identity.findMany({ where: { orgId: a.org.id, status: { not: 'deleted' } }, orderBy: { riskScore: 'desc' }, take: 2 })
    const team = await db.team.create({ data: { orgId: a.org.id, slug: uid('team-'), name: 'Platform' } })
    await db.identity.update({ where: { id: owned.id }, data: { ownerId: a.people.admin.id } })
    await db.identity.update({ where: { id: teamed.id }, data: { teamId: team.id } })
    for (const q of queries) {
      const api = await call(list, { query: { ...q, limit: '7' } })
      expect(api.status, JSON.stringify(q)).toBe(200)
      validate(list, 200, api.res.headers.get('content-type'), api.json)
      const inv = await listIdentities(a.ctx('admin'), { ...identityListSchema.parse(q), page: 1, size: 7 })
      type Ref = { id: string; name: string }
      const shape = (r: { id: string; source: Ref & { type: string }; owner: Ref | null; team: Ref | null }) => [
        r.id,
        `${r.source.id} ${r.source.name} ${r.source.type}`,
        r.owner && `${r.owner.id} ${r.owner.name}`,
        r.team && `${r.team.id} ${r.team.name}`,
      ]
      expect((api.json!.data as Parameters<typeof shape>[0][]).map(shape), JSON.stringify(q)).toEqual(inv.rows.map(shape))
    }
  })

  it('pages with a cursor through every identity once, and refuses a forged cursor', async () => {
    const op = OPERATIONS.find((o) => o.operationId === 'listIdentities')!
    const seen: string[] = []
    let cursor: string | null = null
    do {
      const r = await call(op, { query: { limit: '2', sort: 'name', dir: 'asc', ...(cursor ? { cursor } : {}) } })
      expect(r.status).toBe(200)
      seen.push(...(r.json!.data as { id: string }[]).map((x) => x.id))
      cursor = r.json!.nextCursor as string | null
    } while (cursor)
    // Every identity of A that is not deleted (the contract tests above add and delete some).
    const live = await db.identity.findMany({ where: { orgId: a.org.id, status: { not: 'deleted' } }, select: { id: true } })
    expect(seen.sort()).toEqual(live.map((x) => x.id).sort())
    expect(seen).toEqual(expect.arrayContaining(aIds))
    for (const c of ['nope', Buffer.from('{"v":1,"page":-1,"size":2}').toString('base64url'), Buffer.from('{"v":1,"page":2,"size":3}').toString('base64url')]) {
      const r = await call(op, { query: { limit: '2', cursor: c } })
      expect(r.status).toBe(400)
      validate(op, 400, r.res.headers.get('content-type'), r.json)
    }
    expect((await call(op, { query: { limit: '201' } })).status).toBe(400)
    expect((await call(op, { query: { kind: 'bot,robot' } })).status).toBe(400)
    expect((await call(op, { query: { kind: 'bot,service_account' } })).status).toBe(200)
  })

  it('follows the audit log by sequence number', async () => {
    const op = OPERATIONS.find((o) => o.operationId === 'listAuditEvents')!
    const first = await call(op, { query: { limit: '3' } })
    const seqs = (first.json!.data as { seq: number }[]).map((e) => e.seq)
    expect(seqs).toEqual([1, 2, 3])
    const next = await call(op, { query: { limit: '3', cursor: String(first.json!.nextCursor) } })
    expect((next.json!.data as { seq: number }[])[0].seq).toBe(4)
    expect((await call(op, { query: { cursor: '-1' } })).status).toBe(400)
  })
})

describe('identity writes', () => {
  const op = (id: string) => OPERATIONS.find((o) => o.operationId === id)!
  const send = (id: string, t: string, body: unknown, params?: Record<string, string>) =>
    call(op(id), { token: t, params, body: body === undefined ? undefined : JSON.stringify(body), headers: JSON_HEADERS })
  const auditOf = (action: string, targetId: string) => db.auditEvent.findFirstOrThrow({ where: { orgId: a.org.id, action, targetId } })

  it('changes owners only with the owners scope, through the ownership module', async () => {
    const t = await token(a, ['identities:write'])
    const refused = await send('createIdentity', t.token, { name: 'owner-less', kind: 'ci_cd', environment: 'production', ownerId: a.people.member.id })
    expect(refused.status, refused.text).toBe(403)
    expect(await db.identity.count({ where: { orgId: a.org.id, name: 'owner-less' } })).toBe(0)
    const w = await token(a, ['identities:write', 'owners:write'])
    const made = await send('createIdentity', w.token, { name: 'owned-by-api', kind: 'ci_cd', environment: 'production', ownerId: a.people.member.id })
    expect(made.status, made.text).toBe(201)
    const id = String(made.json!.id)
    expect(await auditOf('identity.assign-owner', id)).toMatchObject({ actorType: 'api_token', actorId: w.id })
    expect(await db.identity.findFirstOrThrow({ where: { id }, select: { ownerOrigin: true } })).toEqual({ ownerOrigin: 'api' })
    const patch = await send('updateIdentity', t.token, { ownerId: null }, { id })
    expect(patch.status, patch.text).toBe(403)
    expect(await db.identity.findFirstOrThrow({ where: { id }, select: { ownerId: true } })).toEqual({ ownerId: a.people.member.id })
  })

  it('create → get → patch → delete, each as documented and audited with the token as actor', async () => {
    const t = await token(a, ['identities:write', 'owners:write'])
    const created = await send('createIdentity', t.token, {
      name: ' deploy-bot ',
      kind: 'ci_cd',
      environment: 'production',
      externalId: 'gh-app-42',
      description: 'Deploys the shop',
      ownerId: a.people.member.id,
      backupOwnerId: a.people.governance.id,
      tags: [{ key: 'team', value: 'shop' }],
    })
    expect(created.status, created.text).toBe(201)
    validate(op('createIdentity'), 201, created.res.headers.get('content-type'), created.json)
    const id = String(created.json!.id)
    expect(created.json).toMatchObject({
      name: 'deploy-bot',
      kind: 'ci_cd',
      environment: 'production',
      status: 'active',
      externalId: 'gh-app-42',
      owner: { id: a.people.member.id },
      backupOwner: { id: a.people.governance.id },
      tags: [{ key: 'team', value: 'shop' }],
      source: { type: 'api', name: 'Manual and API entries' },
      usageReported: false,
    })
    const createdRow = await auditOf('identity.create', id)
    expect(createdRow).toMatchObject({ actorType: 'api_token', actorId: t.id, outcome: 'success', targetLabel: 'deploy-bot' })
    expect(JSON.parse(createdRow.details).requestId).toBe(created.res.headers.get('x-request-id'))

    const got = await call(op('getIdentity'), { token: full, params: { id } })
    expect(got.status).toBe(200)
    expect(got.json).toEqual(created.json)

    // Unowned in production: the finding and the risk score are current in the same answer.
    const patched = await send('updateIdentity', t.token, { name: 'deploy-bot-2', ownerId: null, tags: [] }, { id })
    expect(patched.status, patched.text).toBe(200)
    validate(op('updateIdentity'), 200, patched.res.headers.get('content-type'), patched.json)
    expect(patched.json).toMatchObject({ name: 'deploy-bot-2', owner: null, backupOwner: { id: a.people.governance.id }, tags: [] })
    expect(patched.json!.openFindings).toBeGreaterThan(0)
    expect(patched.json!.riskScore).toBeGreaterThan(created.json!.riskScore as number)
    expect(await db.finding.count({ where: { orgId: a.org.id, identityId: id, rule: 'unowned', status: { not: 'resolved' } } })).toBe(1)
    const updatedRow = await auditOf('identity.update', id)
    expect(updatedRow).toMatchObject({ actorType: 'api_token', actorId: t.id })
    expect(JSON.parse(updatedRow.details)).toMatchObject({
      from: { name: 'deploy-bot' },
      to: { name: 'deploy-bot-2' },
      requestId: patched.res.headers.get('x-request-id'),
    })
    // Owners changed through the ownership module: its own row per change (set at creation, cleared by the patch).
    const ownerRows = await db.auditEvent.findMany({ where: { orgId: a.org.id, action: 'identity.assign-owner', targetId: id }, orderBy: { seq: 'asc' } })
    expect(ownerRows.map((r) => [r.actorType, r.actorId])).toEqual([
      ['api_token', t.id],
      ['api_token', t.id],
    ])
    // Searchable under its new name.
    const found = await call(op('listIdentities'), { token: full, query: { q: 'deploy-bot-2' } })
    expect((found.json!.data as { id: string }[]).map((x) => x.id)).toEqual([id])

    const deleted = await call(op('deleteIdentity'), { token: t.token, params: { id } })
    expect(deleted.status, deleted.text).toBe(200)
    validate(op('deleteIdentity'), 200, deleted.res.headers.get('content-type'), deleted.json)
    expect(deleted.json).toMatchObject({ id, status: 'deleted' })
    expect(await auditOf('identity.delete', id)).toMatchObject({ actorType: 'api_token', actorId: t.id })
    // Kept, not erased; gone from the default list; no longer editable; deleting again changes nothing.
    expect(await db.identity.count({ where: { id } })).toBe(1)
    const after = await call(op('listIdentities'), { token: full, query: { q: 'deploy-bot-2' } })
    expect(after.json!.data).toEqual([])
    const late = await send('updateIdentity', t.token, { name: 'again' }, { id })
    expect(late.status).toBe(409)
    validate(op('updateIdentity'), 409, late.res.headers.get('content-type'), late.json)
    expect((await call(op('deleteIdentity'), { token: t.token, params: { id } })).status).toBe(200)
    expect(await db.auditEvent.count({ where: { orgId: a.org.id, action: 'identity.delete', targetId: id } })).toBe(1)
  })

  it('refuses another organization’s person as owner (422) and changes nothing', async () => {
    for (const field of ['ownerId', 'backupOwnerId']) {
      const before = await db.identity.count({ where: { orgId: a.org.id } })
      const r = await send('createIdentity', full, { name: uid('foreign-'), kind: 'bot', [field]: b.people.member.id })
      expect(r.status, r.text).toBe(422)
      validate(op('createIdentity'), 422, r.res.headers.get('content-type'), r.json)
      expect(r.json!.errors).toEqual([{ path: field, message: 'Not a member of this organization.' }])
      expect(await db.identity.count({ where: { orgId: a.org.id } })).toBe(before)
      const p = await send('updateIdentity', full, { [field]: b.people.member.id }, { id: aIds[2] })
      expect(p.status, p.text).toBe(422)
      validate(op('updateIdentity'), 422, p.res.headers.get('content-type'), p.json)
    }
    expect(await db.identity.findUniqueOrThrow({ where: { id: aIds[2] } })).toMatchObject({ ownerId: null, backupOwnerId: null })
  })

  it('answers 404 for another organization’s identity, audits the refusal, and leaves it alone', async () => {
    const before = await db.identity.findUniqueOrThrow({ where: { id: bIdentity.id } })
    for (const [id, body] of [
      ['updateIdentity', { name: 'hijacked' }],
      ['deleteIdentity', undefined],
    ] as const) {
      const r = await send(id, full, body, { id: bIdentity.id })
      expect(r.status, r.text).toBe(404)
      validate(op(id), 404, r.res.headers.get('content-type'), r.json)
      const denied = await db.auditEvent.findFirstOrThrow({ where: { orgId: a.org.id, action: `api.${id}`, outcome: 'denied' }, orderBy: { seq: 'desc' } })
      expect(JSON.parse(denied.details)).toMatchObject({ status: 404, requestId: r.json!.requestId })
    }
    expect(await db.identity.findUniqueOrThrow({ where: { id: bIdentity.id } })).toEqual(before)
    expect(await db.auditEvent.count({ where: { orgId: b.org.id, targetId: bIdentity.id } })).toBe(0)
  })

  it('refuses a duplicate external id (409), unknown fields and bad values (422)', async () => {
    const first = await send('createIdentity', full, { name: 'dup-1', kind: 'bot', externalId: 'dup-ext' })
    expect(first.status, first.text).toBe(201)
    const dup = await send('createIdentity', full, { name: 'dup-2', kind: 'bot', externalId: 'dup-ext' })
    expect(dup.status).toBe(409)
    validate(op('createIdentity'), 409, dup.res.headers.get('content-type'), dup.json)
    for (const body of [
      { name: 'x', kind: 'robot' },
      { name: '', kind: 'bot' },
      { name: 'x', kind: 'bot', status: 'active' },
      {
        name: 'x',
        kind: 'bot',
        tags: [
          { key: 'a', value: '1' },
          { key: 'a', value: '2' },
        ],
      },
    ]) {
      const r = await send('createIdentity', full, body)
      expect(r.status, JSON.stringify(body)).toBe(422)
      validate(op('createIdentity'), 422, r.res.headers.get('content-type'), r.json)
    }
    const r = await send('updateIdentity', full, { riskScore: 0 }, { id: aIds[3] })
    expect(r.status).toBe(422)
    expect(r.json!.errors).toEqual([expect.objectContaining({ path: '(root)' })])
  })
})

describe('request bodies (the wrapper, through a test operation)', () => {
  const echo = defineOperation({
    operationId: 'echo',
    method: 'post',
    path: '/echo',
    summary: 'echo',
    tag: 'Test',
    scope: 'identities:write',
    body: z.strictObject({ name: z.string().max(10) }),
    success: { status: 201, description: 'echo' },
    problems: [],
    run: async ({ body }) => body,
  })
  const post = (body: BodyInit, headers: Record<string, string> = { 'content-type': 'application/json' }) =>
    apiRoute(echo as unknown as Operation)(
      new Request('http://localhost/api/v1/echo', { method: 'POST', body, headers: { authorization: `Bearer ${full}`, ...headers } }),
      {
        params: Promise.resolve({}),
      },
    )

  it('answers 201, 400, 413, 415 and 422 as fits, always as problem+json', async () => {
    expect((await post('{"name":"ok"}')).status).toBe(201)
    const cases: [BodyInit, Record<string, string> | undefined, number][] = [
      ['{"name":', undefined, 400],
      ['{"name":"ok"}', { 'content-type': 'text/plain' }, 415],
      ['{"name":"ok","extra":1}', undefined, 422],
      ['{"name":"far too long a name"}', undefined, 422],
      [JSON.stringify({ name: 'x'.repeat(MAX_BODY_BYTES) }), undefined, 413],
    ]
    for (const [body, headers, status] of cases) {
      const res = await post(body, headers)
      expect(res.status).toBe(status)
      expect(res.headers.get('content-type')).toBe('application/problem+json')
      const p = (await res.json()) as { status: number; requestId: string }
      expect(p.status).toBe(status)
      expect(p.requestId).toBe(res.headers.get('x-request-id'))
    }
  })
})

describe('robustness (property-based)', () => {
  const text = fc.string({ maxLength: 40 })
  it('random parameters, query strings and headers never give a 5xx or another organization’s data', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...OPERATIONS),
        fc.dictionary(
          fc.constantFrom(
            'q',
            'kind',
            'env',
            'status',
            'owner',
            'sort',
            'dir',
            'limit',
            'cursor',
            'risk',
            'severity',
            'code',
            'identity',
            'x',
            'team',
            'source',
          ),
          text,
          { maxKeys: 5 },
        ),
        fc.oneof(text, fc.constantFrom(bIdentity.id, aIds[1])),
        fc.oneof(fc.constant(undefined), text, fc.constantFrom('application/json', 'text/plain')),
        fc.oneof(fc.constant(undefined), text),
        async (op, query, id, contentType, requestId) => {
          const headers: Record<string, string> = {}
          if (contentType !== undefined) headers['content-type'] = contentType
          if (requestId !== undefined) headers['x-request-id'] = requestId.replace(/[^\x20-\x7e]/g, '')
          const r = await call(op, { params: { id }, query, headers })
          expect(r.status, `${op.operationId} ${JSON.stringify({ query, id })}: ${r.text}`).toBeLessThan(500)
          expect(r.text).not.toContain(bIdentity.name)
          expect(r.text).not.toContain('B secret finding')
          if (r.status >= 400) expect(r.res.headers.get('content-type')).toBe('application/problem+json')
        },
      ),
      { numRuns: 150 },
    )
  })
})

describe('secrets', () => {
  it('no token plaintext in any database column, audit row or log line', async () => {
    expect(plaintexts.length).toBeGreaterThan(5)
    const secrets = plaintexts.map((t) => t.slice(13, 41))
    for (const model of Object.values(ModelName)) {
      const key = (model[0].toLowerCase() + model.slice(1)) as keyof typeof db
      const rows = (await (db[key] as unknown as { findMany: () => Promise<unknown[]> }).findMany()) ?? []
      const dump = JSON.stringify(rows)
      for (const s of secrets) expect(dump.includes(s), `${model} holds a token`).toBe(false)
    }
    expect(logLines.length).toBeGreaterThan(10)
    const log = logLines.join('')
    for (const s of secrets) expect(log.includes(s)).toBe(false)
    const line = JSON.parse(logLines.find((l) => l.includes('"status":200'))!) as Record<string, unknown>
    expect(line).toMatchObject({
      msg: 'api call',
      route: expect.any(String),
      requestId: expect.any(String),
      tokenId: expect.any(String),
      tokenKind: 'api_token',
    })
  })
})
