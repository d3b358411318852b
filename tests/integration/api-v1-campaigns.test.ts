import { Writable } from 'node:stream'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { setApiLogDestination } from '@/lib/api/log'
import type { Operation } from '@/lib/api/operation'
import { OPERATIONS } from '@/lib/api/v1/operations'
import { createApiToken } from '@/lib/api-tokens/mutations'
import type { ApiScope } from '@/lib/api-tokens/schemas'
import { db } from '@/lib/db'
import { drainJobs } from '@/lib/jobs/worker'
import { apiCaller, validate } from './api-client'
import { addIdentity, createOrg, engine, uid } from './fixtures'

type Org = Awaited<ReturnType<typeof createOrg>>
let a: Org
let b: Org
/** the name prefix of A's identities in this file: campaign scopes select them by it */
let prefix: string
let adminOwned: string[]
let memberOwned: string[]

setApiLogDestination(new Writable({ write: (_chunk, _enc, cb) => cb() }))
afterAll(() => setApiLogDestination(undefined))

let defaultToken = ''
const call = apiCaller(() => defaultToken)
const op = (id: string): Operation => OPERATIONS.find((o) => o.operationId === id)!
const JSON_HEADERS = { 'content-type': 'application/json' }
const post = (id: string, body: unknown, opts: { token: string; params?: Record<string, string> }) =>
  call(op(id), { ...opts, ...(body === undefined ? {} : { body: JSON.stringify(body), headers: JSON_HEADERS }) })
const futureDay = (days: number) => new Date(Date.now() + days * 86_400_000).toISOString().slice(0, 10)
const documented = (id: string, r: Awaited<ReturnType<typeof call>>) => validate(op(id), r.status, r.res.headers.get('content-type'), r.json)

/** A token of the organization, created by its admin (the admin is then its person of record) unless `by` says otherwise. */
async function token(org: Org, scopes: readonly ApiScope[]) {
  return createApiToken(org.ctx('admin'), { name: uid('tok-'), scopes: [...scopes], expiresInDays: 30, allowedIps: [] })
}

const createBody = (over: Record<string, unknown> = {}) => ({
  name: `API review ${uid()}`,
  type: 'identity',
  scope: { q: prefix },
  fallbackReviewerId: a.people.governance.id,
  dueAt: futureDay(14),
  justificationRule: 'revoke',
  ...over,
})

async function launchedCampaign(t: string, over: Record<string, unknown> = {}) {
  const r = await post('createCampaign', createBody({ ...over, launch: true }), { token: t })
  expect(r.status, r.text).toBe(201)
  await drainJobs()
  return String(r.json!.id)
}

beforeAll(async () => {
  a = await createOrg('API campaigns A')
  b = await createOrg('API campaigns B')
  prefix = uid('apic-')
  adminOwned = []
  memberOwned = []
  for (let i = 0; i < 3; i++) adminOwned.push((await addIdentity(a.org.id, a.source.id, { name: `${prefix}-adm-${i}`, ownerId: a.people.admin.id })).id)
  for (let i = 0; i < 2; i++)
    memberOwned.push((await addIdentity(a.org.id, a.source.id, { name: `${prefix}-mem-${i}`, ownerId: a.people.member.id, privileged: i === 0 })).id)
})

describe(`POST /campaigns, /campaigns/{id}/launch and /close (${engine})`, () => {
  it('creates a draft with the form’s fields, recorded against the token’s creator, audited with the token as actor', async () => {
    const t = await token(a, ['campaigns:write', 'campaigns:read'])
    const r = await post('createCampaign', createBody({ reminders: [5, 2] }), { token: t.token })
    expect(r.status, r.text).toBe(201)
    documented('createCampaign', r)
    const id = String(r.json!.id)
    expect(r.res.headers.get('location')).toBe(`/api/v1/campaigns/${id}`)
    expect(r.json).toMatchObject({ status: 'draft', type: 'identity', launch: null })
    const row = await db.campaign.findUniqueOrThrow({ where: { id } })
    expect(row).toMatchObject({ orgId: a.org.id, createdById: a.people.admin.id, fallbackReviewerId: a.people.governance.id, reminders: '[5,2]' })
    const audit = await db.auditEvent.findFirstOrThrow({ where: { orgId: a.org.id, action: 'campaign.create', targetId: id } })
    expect(audit).toMatchObject({ actorType: 'api_token', actorId: t.id })
    expect(JSON.parse(audit.details)).toMatchObject({ onBehalfOf: { id: a.people.admin.id }, requestId: expect.any(String) })
    const got = await call(op('getCampaign'), { token: t.token, params: { id } })
    expect(got.status, got.text).toBe(200)
    documented('getCampaign', got)
    expect(got.json).toMatchObject({ id, status: 'draft' })
  })

  it('refuses what the form refuses (422), unknown fields, and another organization’s reviewer; nothing is created', async () => {
    const t = await token(a, ['campaigns:write'])
    const before = await db.campaign.count({ where: { orgId: a.org.id } })
    for (const over of [
      { fallbackReviewerId: a.people.auditor.id },
      { fallbackReviewerId: b.people.governance.id },
      { dueAt: '2020-01-01' },
      { name: 'x' },
      { scope: { kind: 'robot' } },
      { startAt: futureDay(20), dueAt: futureDay(10) },
      { orgSlug: b.org.slug },
      { scope: { q: 'nothing-matches-this-scope' }, launch: true },
    ]) {
      const r = await post('createCampaign', createBody(over), { token: t.token })
      expect(r.status, `${JSON.stringify(over)}: ${r.text}`).toBe(422)
      documented('createCampaign', r)
    }
    expect(await db.campaign.count({ where: { orgId: a.org.id } })).toBe(before)
  })

  it('launches (202 + the operation), then closes (202), each followed to its end; a second launch or close is a 409', async () => {
    const t = await token(a, ['campaigns:write', 'campaigns:read', 'remediation:read'])
    const created = await post('createCampaign', createBody(), { token: t.token })
    const id = String(created.json!.id)
    const r = await post('launchCampaign', undefined, { token: t.token, params: { id } })
    expect(r.status, r.text).toBe(202)
    documented('launchCampaign', r)
    const launch = r.json as { status: string; expectedItems: number; operation: { id: string; type: string } }
    expect(launch).toMatchObject({ status: 'launching', expectedItems: 5, operation: { type: 'launch_campaign', status: 'queued' } })
    expect(r.res.headers.get('location')).toBe(`/api/v1/operations/${launch.operation.id}`)
    expect((await db.auditEvent.findFirstOrThrow({ where: { orgId: a.org.id, action: 'campaign.launch', targetId: id } })).actorId).toBe(t.id)
    await drainJobs()
    const polled = await call(op('getOperation'), { token: t.token, params: { id: launch.operation.id } })
    expect(polled.json).toMatchObject({ status: 'succeeded' })
    expect((await call(op('getCampaign'), { token: t.token, params: { id } })).json).toMatchObject({ status: 'active', itemCount: 5 })
    const again = await post('launchCampaign', undefined, { token: t.token, params: { id } })
    expect(again.status, again.text).toBe(409)
    documented('launchCampaign', again)

    const closed = await post('closeCampaign', undefined, { token: t.token, params: { id } })
    expect(closed.status, closed.text).toBe(202)
    documented('closeCampaign', closed)
    expect(closed.json).toMatchObject({ type: 'close_campaign' })
    expect(closed.res.headers.get('location')).toBe(`/api/v1/operations/${String(closed.json!.id)}`)
    await drainJobs()
    expect((await call(op('getCampaign'), { token: t.token, params: { id } })).json).toMatchObject({ status: 'closed' })
    const twice = await post('closeCampaign', undefined, { token: t.token, params: { id } })
    expect(twice.status, twice.text).toBe(409)
  })

  it('a start date ahead schedules the launch (Location: the campaign); create with launch: true launches at once', async () => {
    const t = await token(a, ['campaigns:write'])
    const later = await post('createCampaign', createBody({ startAt: futureDay(3) }), { token: t.token })
    const id = String(later.json!.id)
    const r = await post('launchCampaign', undefined, { token: t.token, params: { id } })
    expect(r.status, r.text).toBe(202)
    documented('launchCampaign', r)
    expect(r.json).toMatchObject({ status: 'scheduled', operation: null })
    expect(r.res.headers.get('location')).toBe(`/api/v1/campaigns/${id}`)
    const now = await post('createCampaign', createBody({ launch: true }), { token: t.token })
    expect(now.status, now.text).toBe(201)
    documented('createCampaign', now)
    expect(now.json).toMatchObject({ status: 'launching', launch: { status: 'launching', operation: { type: 'launch_campaign' } } })
    await drainJobs()
  })

  it('never reaches another organization’s campaign (404, audited), and refuses a token whose creator has left (403)', async () => {
    const t = await token(a, ['campaigns:write'])
    const created = await post('createCampaign', createBody(), { token: t.token })
    const bt = await token(b, ['campaigns:write', 'campaigns:read', 'decisions:write'])
    for (const [id, body] of [
      ['launchCampaign', undefined],
      ['closeCampaign', undefined],
      ['decideCampaignItems', { decisions: [{ itemId: 'x1', decision: 'keep' }] }],
    ] as const) {
      const r = await post(id, body, { token: bt.token, params: { id: String(created.json!.id) } })
      expect(r.status, r.text).toBe(404)
      documented(id, r)
    }
    expect((await call(op('getCampaign'), { token: bt.token, params: { id: String(created.json!.id) } })).status).toBe(404)
    expect(await db.auditEvent.count({ where: { orgId: b.org.id, actorId: bt.id, outcome: 'denied' } })).toBeGreaterThanOrEqual(3)
    expect((await db.campaign.findUniqueOrThrow({ where: { id: String(created.json!.id) } })).status).toBe('draft')

    const leaver = await token(a, ['campaigns:write'])
    await db.membership.updateMany({ where: { orgId: a.org.id, userId: a.people.admin.id }, data: { status: 'suspended' } })
    try {
      const r = await post('createCampaign', createBody(), { token: leaver.token })
      expect(r.status, r.text).toBe(403)
      documented('createCampaign', r)
    } finally {
      await db.membership.updateMany({ where: { orgId: a.org.id, userId: a.people.admin.id }, data: { status: 'active' } })
    }
  })
})

describe(`POST /campaigns/{id}/decisions (${engine})`, () => {
  it('decides the creator’s own items, refuses the rest item by item with the reason, and records the creator as reviewer via the token', async () => {
    const t = await token(a, ['decisions:write', 'campaigns:write'])
    defaultToken = t.token
    const campaignId = await launchedCampaign(t.token)
    const items = await db.reviewItem.findMany({ where: { campaignId }, orderBy: { identityName: 'asc' } })
    const mine = items.filter((i) => i.reviewerId === a.people.admin.id)
    const theirs = items.filter((i) => i.reviewerId === a.people.member.id)
    expect(mine).toHaveLength(3)
    expect(theirs).toHaveLength(2)
    const decider = await token(a, ['decisions:write'])
    const r = await post(
      'decideCampaignItems',
      {
        decisions: [
          { itemId: mine[0].id, decision: 'keep' },
          { itemId: mine[1].id, decision: 'revoke' },
          { itemId: mine[1].id, decision: 'keep' },
          { itemId: mine[2].id, decision: 'revoke', justification: 'unused for a year' },
          { itemId: theirs[0].id, decision: 'keep' },
          { itemId: 'no-such-item', decision: 'keep' },
        ],
      },
      { token: decider.token, params: { id: campaignId } },
    )
    expect(r.status, r.text).toBe(200)
    documented('decideCampaignItems', r)
    expect(r.json).toMatchObject({ decided: 2, refused: 4 })
    expect((r.json!.results as { itemId: string; result: string; reason?: string }[]).map((x) => [x.itemId, x.result, x.reason ?? null])).toEqual([
      [mine[0].id, 'decided', null],
      [mine[1].id, 'refused', 'justification_required'],
      [mine[1].id, 'refused', 'duplicate'],
      [mine[2].id, 'decided', null],
      [theirs[0].id, 'refused', 'not_yours'],
      ['no-such-item', 'refused', 'not_found'],
    ])
    const after = await db.reviewItem.findMany({ where: { id: { in: [mine[0].id, mine[1].id, mine[2].id, theirs[0].id] } } })
    const byId = new Map(after.map((i) => [i.id, i]))
    expect(byId.get(mine[0].id)).toMatchObject({ decision: 'keep', status: 'decided', decidedById: a.people.admin.id, version: mine[0].version + 1 })
    expect(byId.get(mine[1].id)).toMatchObject({ decision: null, version: mine[1].version })
    expect(byId.get(mine[2].id)).toMatchObject({ decision: 'revoke', justification: 'unused for a year' })
    expect(byId.get(theirs[0].id)).toMatchObject({ decision: null })
    const decisions = await db.decision.findMany({ where: { campaignId } })
    expect(decisions.map((d) => [d.reviewItemId, d.decidedById, d.bulk]).sort()).toEqual(
      [
        [mine[0].id, a.people.admin.id, true],
        [mine[2].id, a.people.admin.id, true],
      ].sort(),
    )
    expect((await db.campaign.findUniqueOrThrow({ where: { id: campaignId } })).decidedCount).toBe(2)
    const audit = await db.auditEvent.findFirstOrThrow({ where: { orgId: a.org.id, action: 'review.bulk-decide', targetId: campaignId } })
    expect(audit).toMatchObject({ actorType: 'api_token', actorId: decider.id, actorLabel: expect.stringMatching(/^tok-/) })
    const details = JSON.parse(audit.details)
    expect(details).toMatchObject({ onBehalfOf: { id: a.people.admin.id }, decidedBy: { id: a.people.admin.id }, counts: { keep: 1, revoke: 1 } })
    expect(details.items).toEqual([
      expect.objectContaining({ id: mine[0].id, decision: 'keep' }),
      expect.objectContaining({ id: mine[2].id, decision: 'revoke', justification: 'unused for a year' }),
    ])
  })

  it('a token with campaigns:write (its creator an admin) decides any reviewer’s item; the audit names whose it was', async () => {
    const t = await token(a, ['decisions:write', 'campaigns:write'])
    const campaignId = await launchedCampaign(t.token)
    const theirs = await db.reviewItem.findMany({ where: { campaignId, reviewerId: a.people.member.id }, orderBy: { identityName: 'asc' } })
    const r = await post(
      'decideCampaignItems',
      { decisions: theirs.map((i) => ({ itemId: i.id, decision: 'keep', justification: 'confirmed with the team' })) },
      { token: t.token, params: { id: campaignId } },
    )
    expect(r.status, r.text).toBe(200)
    expect(r.json).toMatchObject({ decided: 2, refused: 0 })
    const audit = await db.auditEvent.findFirstOrThrow({ where: { orgId: a.org.id, action: 'review.bulk-decide', targetId: campaignId } })
    expect(JSON.parse(audit.details).items).toEqual(theirs.map((i) => expect.objectContaining({ id: i.id, reviewerId: a.people.member.id })))
    // The person of record must manage campaigns too: once the creator is only a member, the token decides only their own items.
    await db.membership.updateMany({ where: { orgId: a.org.id, userId: a.people.admin.id }, data: { role: 'member' } })
    try {
      const again = await post(
        'decideCampaignItems',
        { decisions: [{ itemId: theirs[0].id, decision: 'unsure' }] },
        { token: t.token, params: { id: campaignId } },
      )
      expect(again.json).toMatchObject({ decided: 0, results: [{ result: 'refused', reason: 'not_yours' }] })
    } finally {
      await db.membership.updateMany({ where: { orgId: a.org.id, userId: a.people.admin.id }, data: { role: 'admin' } })
    }
  })

  it('a closed stage locks every item; a body over the cap or with unknown fields is a 422 and changes nothing', async () => {
    const t = await token(a, ['decisions:write', 'campaigns:write'])
    const campaignId = await launchedCampaign(t.token)
    const item = await db.reviewItem.findFirstOrThrow({ where: { campaignId, reviewerId: a.people.admin.id } })
    for (const body of [
      { decisions: [] },
      { decisions: Array.from({ length: 501 }, () => ({ itemId: item.id, decision: 'keep' })) },
      { decisions: [{ itemId: item.id, decision: 'approve' }] },
      { decisions: [{ itemId: item.id, decision: 'keep', reviewer: a.people.member.id }] },
    ]) {
      const r = await post('decideCampaignItems', body, { token: t.token, params: { id: campaignId } })
      expect(r.status, r.text).toBe(422)
      documented('decideCampaignItems', r)
    }
    expect(await db.decision.count({ where: { campaignId } })).toBe(0)
    expect((await post('closeCampaign', undefined, { token: t.token, params: { id: campaignId } })).status).toBe(202)
    await drainJobs()
    const r = await post('decideCampaignItems', { decisions: [{ itemId: item.id, decision: 'keep' }] }, { token: t.token, params: { id: campaignId } })
    expect(r.json).toMatchObject({ decided: 0, results: [{ result: 'refused', reason: 'locked' }] })
  })
})
