import { Writable } from 'node:stream'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { setApiLogDestination } from '@/lib/api/log'
import type { Operation } from '@/lib/api/operation'
import { OPERATIONS } from '@/lib/api/v1/operations'
import { createApiToken } from '@/lib/api-tokens/mutations'
import { API_SCOPES, type ApiScope } from '@/lib/api-tokens/schemas'
import { db } from '@/lib/db'
import { drainJobs } from '@/lib/jobs/worker'
import { apiCaller, validate } from './api-client'
import { addAccess, addIdentity, createOrg, uid } from './fixtures'

type Org = Awaited<ReturnType<typeof createOrg>>
let a: Org
let b: Org
let full: string
/** A's identities on a simulated source (the remediation jobs "apply"), each with a credential and a grant. */
let sim: { id: string; credentialId: string; grantId: string; resourceId: string }[]
/** B's: never reachable with A's token. */
let bAccess: { identityId: string; credentialId: string; grantId: string; findingId: string; jobId: string }

setApiLogDestination(new Writable({ write: (_chunk, _enc, cb) => cb() }))
afterAll(() => setApiLogDestination(undefined))

const call = apiCaller(() => full)
const op = (id: string): Operation => OPERATIONS.find((o) => o.operationId === id)!
const JSON_HEADERS = { 'content-type': 'application/json' }
const post = (id: string, body: unknown, opts: { token?: string; params?: Record<string, string> } = {}) =>
  call(op(id), { ...opts, body: JSON.stringify(body), headers: JSON_HEADERS })
const futureDay = (days: number) => new Date(Date.now() + days * 86_400_000).toISOString().slice(0, 10)

async function token(org: Org, scopes: readonly ApiScope[]) {
  return createApiToken(org.ctx('admin'), { name: uid('tok-'), scopes: [...scopes], expiresInDays: 30, allowedIps: [] })
}

/** The answer is as documented, and a problem answer is problem+json. */
function documented(id: string, r: Awaited<ReturnType<typeof call>>) {
  validate(op(id), r.status, r.res.headers.get('content-type'), r.json)
}

/** A 202: the operation in the body, the Location pointing at it, and that Location answering the same operation. */
async function expectAccepted(id: string, r: Awaited<ReturnType<typeof call>>, type: string) {
  expect(r.status, r.text).toBe(202)
  documented(id, r)
  const jobId = String(r.json!.id)
  expect(r.res.headers.get('location')).toBe(`/api/v1/operations/${jobId}`)
  expect(r.json).toMatchObject({ type, status: 'queued' })
  const polled = await call(op('getOperation'), { params: { id: jobId } })
  expect(polled.status, polled.text).toBe(200)
  documented('getOperation', polled)
  expect(polled.json!.id).toBe(jobId)
  return jobId
}

const tokenRows = (action: string, targetId: string) =>
  db.auditEvent.findMany({ where: { orgId: a.org.id, action, targetId }, orderBy: { seq: 'asc' }, select: { actorType: true, actorId: true, details: true } })

beforeAll(async () => {
  a = await createOrg('API actions A')
  b = await createOrg('API actions B')
  const simulated = await db.source.create({ data: { orgId: a.org.id, name: 'Simulated', type: 'aws', config: JSON.stringify({ simulated: true }) } })
  sim = []
  for (let i = 0; i < 3; i++) {
    const identity = await addIdentity(a.org.id, simulated.id, { name: uid('act-a-') })
    sim.push({
      id: identity.id,
      ...(await addAccess({ org: a.org, source: simulated }, identity.id, { privileged: i === 0, kind: i === 0 ? 'access_key' : 'token' })),
    })
  }
  const bi = await addIdentity(b.org.id, b.source.id, { name: uid('act-b-') })
  const ba = await addAccess(b, bi.id)
  const bf = await db.finding.create({
    data: { orgId: b.org.id, identityId: bi.id, rule: 'unowned', owaspCode: 'NHI1', severity: 'high', severityRank: 1, title: 'B finding' },
  })
  const bj = await db.job.create({ data: { orgId: b.org.id, type: 'recompute_findings', idempotencyKey: uid('b-job-') } })
  bAccess = { identityId: bi.id, credentialId: ba.credentialId, grantId: ba.grantId, findingId: bf.id, jobId: bj.id }
  full = (await token(a, API_SCOPES)).token
})

describe('GET /credentials', () => {
  it('lists the organization’s credentials with filters and a cursor, never another organization’s, never a fingerprint', async () => {
    const all = await call(op('listCredentials'), { query: { limit: '200' } })
    expect(all.status, all.text).toBe(200)
    documented('listCredentials', all)
    const ids = (all.json!.data as { id: string }[]).map((c) => c.id)
    expect(ids).toEqual(expect.arrayContaining(sim.map((s) => s.credentialId)))
    expect(ids).not.toContain(bAccess.credentialId)
    expect(all.text).not.toContain('fp-')
    const one = await call(op('listCredentials'), { query: { identityId: sim[1].id } })
    expect(one.json!.data).toEqual([
      expect.objectContaining({ id: sim[1].credentialId, type: 'token', status: 'active', identity: expect.objectContaining({ id: sim[1].id }) }),
    ])
    const keys = await call(op('listCredentials'), { query: { type: 'access_key' } })
    expect((keys.json!.data as { id: string }[]).map((c) => c.id)).toEqual([sim[0].credentialId])
    expect((await call(op('listCredentials'), { query: { status: 'revoked', identityId: sim[0].id } })).json!.data).toEqual([])
    // Another organization's identity is simply not there.
    expect((await call(op('listCredentials'), { query: { identityId: bAccess.identityId } })).json!.data).toEqual([])
    const seen: string[] = []
    let cursor: string | null = null
    do {
      const r = await call(op('listCredentials'), { query: { limit: '1', ...(cursor ? { cursor } : {}) } })
      seen.push(...(r.json!.data as { id: string }[]).map((c) => c.id))
      cursor = r.json!.nextCursor as string | null
    } while (cursor)
    expect(seen.sort()).toEqual([...ids].sort())
    for (const query of [{ status: 'stolen' }, { type: 'Bad Type' }, { identityId: '../x' }, { cursor: 'nope' }] as Record<string, string>[]) {
      const r = await call(op('listCredentials'), { query })
      expect(r.status, JSON.stringify(query)).toBe(400)
      documented('listCredentials', r)
    }
  })
})

describe('POST /credentials/{id}/rotate', () => {
  it('answers 202 with the operation, audits with the token as actor, answers the same operation again, and rotates once the job runs', async () => {
    const t = await token(a, ['credentials:write', 'remediation:read'])
    const r = await post('rotateCredential', { justification: 'quarterly rotation' }, { token: t.token, params: { id: sim[1].credentialId } })
    const jobId = await expectAccepted('rotateCredential', r, 'rotate_credential')
    const rem = await db.remediation.findFirstOrThrow({ where: { orgId: a.org.id, credentialId: sim[1].credentialId } })
    expect(rem).toMatchObject({ kind: 'rotate_credential', status: 'pending', jobId, justification: 'quarterly rotation' })
    const rows = await tokenRows('remediation.request', sim[1].id)
    expect(rows).toHaveLength(1)
    expect(rows[0]).toMatchObject({ actorType: 'api_token', actorId: t.id })
    expect(JSON.parse(rows[0].details)).toMatchObject({ jobId, credentialId: sim[1].credentialId, requestId: r.res.headers.get('x-request-id') })
    // Asked again while pending: the same operation, nothing new.
    const again = await post('rotateCredential', { justification: 'quarterly rotation' }, { token: t.token, params: { id: sim[1].credentialId } })
    expect(again.status).toBe(202)
    expect(again.json!.id).toBe(jobId)
    expect(await db.remediation.count({ where: { credentialId: sim[1].credentialId } })).toBe(1)
    await drainJobs()
    const done = await call(op('getOperation'), { token: t.token, params: { id: jobId } })
    expect(done.json).toMatchObject({ id: jobId, status: 'succeeded', result: { outcome: 'applied' } })
    expect((await db.credential.findUniqueOrThrow({ where: { id: sim[1].credentialId } })).lastRotatedAt).not.toBeNull()
  })

  it('refuses another organization’s credential (404, audited), a revoked one (409), a missing justification (422), and a token without the scope (403)', async () => {
    const foreign = await post('rotateCredential', { justification: 'take over B' }, { params: { id: bAccess.credentialId } })
    expect(foreign.status, foreign.text).toBe(404)
    documented('rotateCredential', foreign)
    expect(await db.remediation.count({ where: { credentialId: bAccess.credentialId } })).toBe(0)
    const denied = await db.auditEvent.findFirstOrThrow({
      where: { orgId: a.org.id, action: 'api.rotateCredential', outcome: 'denied' },
      orderBy: { seq: 'desc' },
    })
    expect(JSON.parse(denied.details)).toMatchObject({ status: 404, requestId: foreign.json!.requestId })
    await db.credential.update({ where: { id: sim[2].credentialId }, data: { status: 'revoked' } })
    const revoked = await post('rotateCredential', { justification: 'too late now' }, { params: { id: sim[2].credentialId } })
    expect(revoked.status, revoked.text).toBe(409)
    documented('rotateCredential', revoked)
    const bare = await post('rotateCredential', {}, { params: { id: sim[0].credentialId } })
    expect(bare.status).toBe(422)
    documented('rotateCredential', bare)
    const reader = await token(a, ['credentials:read'])
    const refused = await post('rotateCredential', { justification: 'no scope for this' }, { token: reader.token, params: { id: sim[0].credentialId } })
    expect(refused.status).toBe(403)
    expect(await db.remediation.count({ where: { credentialId: sim[0].credentialId } })).toBe(0)
  })
})

describe('GET /grants and POST /grants/{id}/revoke', () => {
  it('lists grants by identity, resource and privilege, never another organization’s', async () => {
    const all = await call(op('listGrants'), { query: { limit: '200' } })
    expect(all.status, all.text).toBe(200)
    documented('listGrants', all)
    const ids = (all.json!.data as { id: string }[]).map((g) => g.id)
    expect(ids).toEqual(expect.arrayContaining(sim.map((s) => s.grantId)))
    expect(ids).not.toContain(bAccess.grantId)
    const privileged = await call(op('listGrants'), { query: { privileged: 'yes' } })
    // (The test's API tokens are identities too; their write scopes are privileged grants on the Custodian API.)
    const notTokens = (privileged.json!.data as { id: string; resource: { name: string } }[]).filter((g) => g.resource.name !== 'Custodian API')
    expect(notTokens.map((g) => g.id)).toEqual([sim[0].grantId])
    expect((await call(op('listGrants'), { query: { privileged: 'no', identityId: sim[0].id } })).json!.data).toEqual([])
    const onResource = await call(op('listGrants'), { query: { resourceId: sim[2].resourceId } })
    expect(onResource.json!.data).toEqual([
      expect.objectContaining({
        id: sim[2].grantId,
        status: 'active',
        identity: expect.objectContaining({ id: sim[2].id }),
        resource: expect.objectContaining({ id: sim[2].resourceId }),
      }),
    ])
    expect((await call(op('listGrants'), { query: { identityId: bAccess.identityId } })).json!.data).toEqual([])
    expect((await call(op('listGrants'), { query: { privileged: 'true' } })).status).toBe(400)
  })

  it('revokes through a job: 202 with its Location, audited with the token as actor; the grant is revoked when it has run', async () => {
    const t = await token(a, ['grants:write'])
    const r = await post('revokeGrant', { justification: 'no longer needed' }, { token: t.token, params: { id: sim[0].grantId } })
    const jobId = await expectAccepted('revokeGrant', r, 'revoke_grant')
    const rows = await tokenRows('remediation.request', sim[0].id)
    expect(rows.map((x) => [x.actorType, x.actorId])).toEqual([['api_token', t.id]])
    expect(JSON.parse(rows[0].details)).toMatchObject({ grantId: sim[0].grantId, jobId })
    await drainJobs()
    expect(await db.grant.findUniqueOrThrow({ where: { id: sim[0].grantId } })).toMatchObject({ status: 'revoked' })
    const again = await post('revokeGrant', { justification: 'no longer needed' }, { token: t.token, params: { id: sim[0].grantId } })
    expect(again.status, again.text).toBe(409)
    const foreign = await post('revokeGrant', { justification: 'take over B' }, { token: t.token, params: { id: bAccess.grantId } })
    expect(foreign.status).toBe(404)
    documented('revokeGrant', foreign)
    expect(await db.grant.findUniqueOrThrow({ where: { id: bAccess.grantId } })).toMatchObject({ status: 'active' })
    expect(await db.auditEvent.count({ where: { orgId: b.org.id, targetId: bAccess.identityId } })).toBe(0)
  })
})

describe('GET /operations/{id}', () => {
  it('answers the organization’s jobs only: another organization’s is a 404; it needs remediation:read', async () => {
    const mine = await db.job.create({
      data: {
        orgId: a.org.id,
        type: 'recompute_findings',
        idempotencyKey: uid('a-job-'),
        status: 'failed',
        lastError: 'boom',
        result: '{"n":1}',
        total: 4,
        progress: 2,
      },
    })
    const r = await call(op('getOperation'), { params: { id: mine.id } })
    expect(r.status).toBe(200)
    documented('getOperation', r)
    expect(r.json).toMatchObject({ id: mine.id, status: 'failed', error: 'boom', result: { n: 1 }, total: 4, progress: 2 })
    expect(r.text).not.toContain('payload')
    const foreign = await call(op('getOperation'), { params: { id: bAccess.jobId } })
    expect(foreign.status).toBe(404)
    documented('getOperation', foreign)
    const t = await token(a, ['credentials:write'])
    expect((await call(op('getOperation'), { token: t.token, params: { id: mine.id } })).status).toBe(403)
  })
})

describe('POST /findings/{id}/accept-risk', () => {
  it('accepts as the browser does, audited with the token as actor; refuses past dates, resolved findings and another organization’s', async () => {
    const f = await db.finding.create({
      data: { orgId: a.org.id, identityId: sim[2].id, rule: 'dormant', owaspCode: 'NHI7', severity: 'medium', severityRank: 2, title: 'Dormant' },
    })
    const t = await token(a, ['findings:write'])
    const until = futureDay(30)
    const r = await post('acceptFindingRisk', { until, reason: 'Compensating control: network isolation' }, { token: t.token, params: { id: f.id } })
    expect(r.status, r.text).toBe(200)
    documented('acceptFindingRisk', r)
    expect(r.json).toMatchObject({ id: f.id, status: 'accepted', acceptedUntil: `${until}T23:59:59.999Z` })
    expect(await db.finding.findUniqueOrThrow({ where: { id: f.id } })).toMatchObject({
      status: 'accepted',
      acceptedById: null,
      acceptedReason: 'Compensating control: network isolation',
    })
    const rows = await tokenRows('finding.accept', sim[2].id)
    expect(rows.map((x) => [x.actorType, x.actorId])).toEqual([['api_token', t.id]])
    expect(JSON.parse(rows[0].details)).toMatchObject({ findingId: f.id, requestId: r.res.headers.get('x-request-id') })
    for (const body of [
      { until: '2020-01-01', reason: 'Compensating control: network isolation' },
      { until: futureDay(400), reason: 'Compensating control: network isolation' },
      { until, reason: 'short' },
      { until, reason: 'Compensating control: network isolation', by: 'me' },
    ]) {
      const bad = await post('acceptFindingRisk', body, { token: t.token, params: { id: f.id } })
      expect(bad.status, JSON.stringify(body)).toBe(422)
      documented('acceptFindingRisk', bad)
    }
    await db.finding.update({ where: { id: f.id }, data: { status: 'resolved' } })
    const resolved = await post('acceptFindingRisk', { until, reason: 'Compensating control: network isolation' }, { token: t.token, params: { id: f.id } })
    expect(resolved.status).toBe(409)
    const foreign = await post(
      'acceptFindingRisk',
      { until, reason: 'Compensating control: network isolation' },
      { token: t.token, params: { id: bAccess.findingId } },
    )
    expect(foreign.status).toBe(404)
    documented('acceptFindingRisk', foreign)
    expect(await db.finding.findUniqueOrThrow({ where: { id: bAccess.findingId } })).toMatchObject({ status: 'open', acceptedUntil: null })
  })
})

describe('POST /owners/assign and /owners/assign-by-filter', () => {
  it('assigns by ids through the ownership module, audited per identity with the token as actor', async () => {
    const t = await token(a, ['owners:write'])
    const ids = [sim[0].id, sim[1].id]
    const r = await post('assignOwners', { identityIds: ids, ownerId: a.people.member.id, backupOwnerId: a.people.governance.id }, { token: t.token })
    expect(r.status, r.text).toBe(200)
    documented('assignOwners', r)
    expect(r.json).toEqual({ selected: 2, changed: 2 })
    for (const id of ids) {
      expect(await db.identity.findUniqueOrThrow({ where: { id }, select: { ownerId: true, backupOwnerId: true, ownerOrigin: true } })).toEqual({
        ownerId: a.people.member.id,
        backupOwnerId: a.people.governance.id,
        ownerOrigin: 'api',
      })
      expect((await tokenRows('identity.assign-owner', id)).map((x) => [x.actorType, x.actorId])).toEqual([['api_token', t.id]])
    }
    const bulk = await db.auditEvent.findFirstOrThrow({ where: { orgId: a.org.id, action: 'identity.bulk-assign-owner', actorId: t.id } })
    expect(JSON.parse(bulk.details)).toMatchObject({ selected: 2, changed: 2 })
  })

  it('refuses another organization’s identity (404) and person (422), and an empty change (422), changing nothing', async () => {
    const before = await db.identity.findUniqueOrThrow({ where: { id: sim[2].id }, select: { ownerId: true } })
    const foreign = await post('assignOwners', { identityIds: [sim[2].id, bAccess.identityId], ownerId: a.people.member.id })
    expect(foreign.status, foreign.text).toBe(404)
    documented('assignOwners', foreign)
    const stranger = await post('assignOwners', { identityIds: [sim[2].id], ownerId: b.people.member.id })
    expect(stranger.status, stranger.text).toBe(422)
    documented('assignOwners', stranger)
    const empty = await post('assignOwners', { identityIds: [sim[2].id] })
    expect(empty.status).toBe(422)
    expect(await db.identity.findUniqueOrThrow({ where: { id: sim[2].id }, select: { ownerId: true } })).toEqual(before)
    expect(await db.identity.findUniqueOrThrow({ where: { id: bAccess.identityId }, select: { ownerId: true } })).toEqual({ ownerId: null })
  })

  it('assigns by filter through a job: 202 with its Location, the request and every change audited with the token as actor', async () => {
    const t = await token(a, ['owners:write', 'remediation:read'])
    const prefix = 'bulk-by-api-'
    const targets = []
    for (let i = 0; i < 3; i++) targets.push((await addIdentity(a.org.id, a.source.id, { name: uid(prefix) })).id)
    const other = await addIdentity(b.org.id, b.source.id, { name: uid(prefix) })
    const r = await post('assignOwnersByFilter', { filter: { q: prefix }, ownerId: a.people.admin.id }, { token: t.token })
    const jobId = await expectAccepted('assignOwnersByFilter', r, 'bulk_assign')
    expect(r.json!.total).toBe(3)
    const request = await db.auditEvent.findFirstOrThrow({ where: { orgId: a.org.id, action: 'identity.bulk-assign-owner.request', targetId: jobId } })
    expect(request).toMatchObject({ actorType: 'api_token', actorId: t.id })
    await drainJobs()
    const done = await call(op('getOperation'), { token: t.token, params: { id: jobId } })
    expect(done.json).toMatchObject({ status: 'succeeded', result: { scanned: 3, changed: 3 } })
    for (const id of targets) {
      expect(await db.identity.findUniqueOrThrow({ where: { id }, select: { ownerId: true } })).toEqual({ ownerId: a.people.admin.id })
      expect((await tokenRows('identity.assign-owner', id)).map((x) => [x.actorType, x.actorId])).toEqual([['api_token', t.id]])
    }
    expect(await db.identity.findUniqueOrThrow({ where: { id: other.id }, select: { ownerId: true } })).toEqual({ ownerId: null })
    for (const body of [{ filter: { kind: 'robot' }, ownerId: a.people.admin.id }, { filter: { nope: '1' }, ownerId: a.people.admin.id }, { filter: {} }]) {
      const bad = await post('assignOwnersByFilter', body, { token: t.token })
      expect(bad.status, JSON.stringify(body)).toBe(422)
      documented('assignOwnersByFilter', bad)
    }
    const none = await post('assignOwnersByFilter', { filter: { q: 'matches-nothing-at-all' }, ownerId: a.people.admin.id }, { token: t.token })
    expect(none.status).toBe(422)
    const stranger = await post('assignOwnersByFilter', { filter: { q: prefix }, ownerId: b.people.admin.id }, { token: t.token })
    expect(stranger.status).toBe(422)
  })
})

describe('GET /campaigns and /campaigns/{id}/items', () => {
  it('lists the organization’s campaigns and one campaign’s items with filters; another organization’s campaign is a 404', async () => {
    const active = await db.campaign.create({ data: { orgId: a.org.id, name: uid('Quarterly '), type: 'identity', status: 'active', dueAt: new Date() } })
    const draft = await db.campaign.create({ data: { orgId: a.org.id, name: uid('Draft '), type: 'credential', status: 'draft' } })
    const foreign = await db.campaign.create({ data: { orgId: b.org.id, name: 'B review', type: 'identity', status: 'active' } })
    const item = (identityId: string, extra: Record<string, unknown> = {}) => ({
      orgId: a.org.id,
      campaignId: active.id,
      identityId,
      identityName: identityId,
      snapshot: '{}',
      reviewerId: a.people.member.id,
      ...extra,
    })
    await db.reviewItem.create({
      data: item(sim[0].id, { decision: 'revoke', status: 'decided', decidedAt: new Date(), justification: 'unused', privileged: true }),
    })
    await db.reviewItem.create({ data: item(sim[1].id, { recommendation: 'keep', recommendationReason: 'used daily' }) })
    await db.reviewItem.create({ data: { ...item(bAccess.identityId), orgId: b.org.id, campaignId: foreign.id } })

    const list = await call(op('listCampaigns'), { query: { limit: '200' } })
    expect(list.status, list.text).toBe(200)
    documented('listCampaigns', list)
    const ids = (list.json!.data as { id: string }[]).map((c) => c.id)
    expect(ids).toEqual(expect.arrayContaining([active.id, draft.id]))
    expect(ids).not.toContain(foreign.id)
    const drafts = await call(op('listCampaigns'), { query: { status: 'draft' } })
    expect((drafts.json!.data as { id: string }[]).map((c) => c.id)).toEqual([draft.id])
    expect((await call(op('listCampaigns'), { query: { status: 'finished' } })).status).toBe(400)

    const items = await call(op('listCampaignItems'), { params: { id: active.id } })
    expect(items.status, items.text).toBe(200)
    documented('listCampaignItems', items)
    expect(items.json!.data).toHaveLength(2)
    const decided = await call(op('listCampaignItems'), { params: { id: active.id }, query: { decision: 'revoke' } })
    expect(decided.json!.data).toEqual([
      expect.objectContaining({
        identity: { id: sim[0].id, name: sim[0].id },
        decision: 'revoke',
        privileged: true,
        reviewer: { id: a.people.member.id, name: a.people.member.name },
      }),
    ])
    const open = await call(op('listCampaignItems'), { params: { id: active.id }, query: { decision: 'none' } })
    expect(open.json!.data).toEqual([expect.objectContaining({ identity: expect.objectContaining({ id: sim[1].id }), decision: null, recommendation: 'keep' })])
    const missing = await call(op('listCampaignItems'), { params: { id: foreign.id } })
    expect(missing.status).toBe(404)
    documented('listCampaignItems', missing)
    expect(missing.text).not.toContain('B review')
    const t = await token(a, ['decisions:read'])
    expect((await call(op('listCampaignItems'), { token: t.token, params: { id: active.id } })).status).toBe(403)
  })
})
