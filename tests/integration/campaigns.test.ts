import { beforeAll, describe, expect, it } from 'vitest'
import { campaignsScheduler } from '@/lib/campaigns/scheduler'
import { previewClose } from '@/lib/campaigns/close-preview'
import { bulkDecide, decideItem } from '@/lib/campaigns/decide'
import { createCampaign, launchCampaign, reassignItems, requestClose } from '@/lib/campaigns/mutations'
import { campaignStats, listMyReviewItems } from '@/lib/campaigns/queries'
import { campaignInputSchema, parseSnapshot, reviewListSchema } from '@/lib/campaigns/schemas'
import { db } from '@/lib/db'
import { ConflictError, ForbiddenError, NotFoundError, ValidationError } from '@/lib/errors'
import { drainJobs } from '@/lib/jobs/worker'
import { addIdentity, createOrg, engine, uid } from './fixtures'

const DAY = 86_400_000
type Org = Awaited<ReturnType<typeof createOrg>>

function input(org: Org, over: Record<string, unknown> = {}) {
  return campaignInputSchema.parse({
    orgSlug: org.org.slug,
    name: `Review ${uid()}`,
    type: 'identity',
    scope: {},
    fallbackReviewerId: org.people.governance.id,
    dueAt: new Date(Date.now() + 14 * DAY).toISOString(),
    defaultDecision: 'open',
    justificationRule: 'revoke',
    ...over,
  })
}

async function addGrant(org: Org, identityId: string, s: { privileged?: boolean; lastUsedDaysAgo?: number | null; status?: string } = {}) {
  const resource = await db.resource.create({
    data: { orgId: org.org.id, sourceId: org.source.id, externalId: uid('r'), name: uid('bucket-'), type: 's3_bucket' },
  })
  const ent = await db.entitlement.create({
    data: { orgId: org.org.id, sourceId: org.source.id, resourceId: resource.id, externalId: uid('e'), name: 's3:GetObject', privileged: !!s.privileged },
  })
  return db.grant.create({
    data: {
      orgId: org.org.id,
      identityId,
      entitlementId: ent.id,
      privileged: !!s.privileged,
      createdAt: new Date(Date.now() - 300 * DAY),
      status: s.status ?? 'active',
      lastUsedAt: s.lastUsedDaysAgo === null ? null : new Date(Date.now() - (s.lastUsedDaysAgo ?? 1) * DAY),
    },
  })
}

async function launched(org: Org, over: Record<string, unknown> = {}) {
  const r = await createCampaign(org.ctx('governance'), input(org, { ...over, launch: true }))
  await drainJobs()
  return db.campaign.findUniqueOrThrow({ where: { id: r.campaign.id } })
}

const itemsOf = (campaignId: string) => db.reviewItem.findMany({ where: { campaignId }, orderBy: { identityName: 'asc' } })

describe(`campaigns (${engine})`, () => {
  let a: Org
  let b: Org
  beforeAll(async () => {
    a = await createOrg('Alpha')
    b = await createOrg('Beta')
    const team = await db.team.create({ data: { orgId: a.org.id, slug: uid('team-'), name: 'Payments', leadId: a.people.admin.id } })
    const formerUser = await db.user.create({ data: { email: `${uid()}@gone.example`, name: 'Gone', active: false } })
    const owned = await addIdentity(a.org.id, a.source.id, { name: 'a-owned-recent', ownerId: a.people.member.id, lastUsedDaysAgo: 2, privileged: true })
    await addIdentity(a.org.id, a.source.id, { name: 'b-unowned-dormant', lastUsedDaysAgo: 143 })
    const backed = await addIdentity(a.org.id, a.source.id, { name: 'c-backup', ownerId: formerUser.id, lastUsedDaysAgo: 10 })
    await db.identity.update({ where: { id: backed.id }, data: { backupOwnerId: a.people.member.id } })
    const led = await addIdentity(a.org.id, a.source.id, { name: 'd-team', lastUsedDaysAgo: 5 })
    await db.identity.update({ where: { id: led.id }, data: { teamId: team.id } })
    await addIdentity(a.org.id, a.source.id, { name: 'e-owned-dormant-priv', ownerId: a.people.member.id, lastUsedDaysAgo: 80, privileged: true })
    await addGrant(a, owned.id, { privileged: true, lastUsedDaysAgo: 200 })
    await addGrant(a, owned.id, { lastUsedDaysAgo: 1 })
    await addGrant(a, owned.id, { status: 'revoked' })
    await db.finding.create({
      data: { orgId: a.org.id, identityId: owned.id, rule: 'unrotated-secret', owaspCode: 'NHI7', severity: 'high', title: 'Secret older than 365 days' },
    })
    await addIdentity(b.org.id, b.source.id, { name: 'beta-one', ownerId: b.people.member.id })
  })

  it('launches as a job: snapshots each identity with a recommendation and walks the reviewer chain', async () => {
    const c = await launched(a)
    expect(c).toMatchObject({ status: 'active', itemCount: 5, fallbackCount: 1 })
    const items = await itemsOf(c.id)
    expect(items.map((i) => [i.identityName, i.reviewerId, i.recommendation])).toEqual([
      ['a-owned-recent', a.people.member.id, 'keep'],
      ['b-unowned-dormant', a.people.governance.id, 'revoke'],
      ['c-backup', a.people.member.id, 'keep'],
      ['d-team', a.people.admin.id, 'keep'],
      ['e-owned-dormant-priv', a.people.member.id, 'revoke'],
    ])
    expect(items[1].recommendationReason).toBe('not used for 143 days: revoke')
    expect(items[4].recommendationReason).toBe('privileged and not used for 80 days: revoke')
    const snap = parseSnapshot(items[0].snapshot)!
    expect(snap).toMatchObject({
      identity: { name: 'a-owned-recent', kind: 'service_account', environment: 'production', source: 'AWS test' },
      privileged: true,
      via: 'owner',
      grantCount: 2,
    })
    expect(snap.findings).toEqual([{ title: 'Secret older than 365 days', severity: 'high', code: 'NHI7' }])
    expect(parseSnapshot(items[2].snapshot)!.via).toBe('backup')
    expect(parseSnapshot(items[3].snapshot)!.via).toBe('team_lead')
    // The snapshot is frozen: renaming the identity later does not change what the reviewer sees.
    await db.identity.update({ where: { id: items[0].identityId }, data: { name: 'renamed' } })
    expect(parseSnapshot((await db.reviewItem.findUniqueOrThrow({ where: { id: items[0].id } })).snapshot)!.identity.name).toBe('a-owned-recent')
    await db.identity.update({ where: { id: items[0].identityId }, data: { name: 'a-owned-recent' } })
    expect(await db.notification.count({ where: { orgId: a.org.id, userId: a.people.member.id, kind: 'campaign.assigned' } })).toBeGreaterThan(0)
    expect(await db.auditEvent.count({ where: { orgId: a.org.id, action: 'campaign.launched', targetId: c.id } })).toBe(1)
  })

  it('a launch stages its items out of sight and publishes them in one step; a retry after a crash starts over', async () => {
    const gov = a.ctx('governance')
    const r = await createCampaign(gov, input(a, { launch: true }))
    const campaignId = r.campaign.id
    const owned = await db.identity.findFirstOrThrow({ where: { orgId: a.org.id, name: 'a-owned-recent' } })
    // What a previous attempt of this launch left before its process died: staged items, and an item the launch code
    // before staging wrote with status 'staged'.
    await db.reviewItemStage.create({
      data: { campaignId, id: uid('stale'), orgId: a.org.id, identityId: owned.id, reviewerId: a.people.member.id, snapshot: '{}', identityName: 'stale' },
    })
    await db.reviewItem.create({
      data: { orgId: a.org.id, campaignId, identityId: owned.id, reviewerId: a.people.member.id, snapshot: '{}', status: 'staged', identityName: 'stale-old' },
    })
    const mine = () => listMyReviewItems(a.ctx('member'), reviewListSchema.parse({ campaign: campaignId }))
    expect((await mine()).rows).toEqual([])
    await drainJobs()
    const c = await db.campaign.findUniqueOrThrow({ where: { id: campaignId } })
    expect(c).toMatchObject({ status: 'active', itemCount: 5 })
    const items = await itemsOf(campaignId)
    expect(items.map((i) => i.identityName)).toEqual(['a-owned-recent', 'b-unowned-dormant', 'c-backup', 'd-team', 'e-owned-dormant-priv'])
    for (const i of items) expect(i).toMatchObject({ status: 'pending', stage: 1, version: 0, remediationStatus: 'none', orgId: a.org.id })
    expect(items.find((i) => i.identityName === 'a-owned-recent')!.privileged).toBe(true)
    expect(new Set(items.map((i) => i.id)).size).toBe(5)
    expect(await db.reviewItemStage.count({ where: { campaignId } })).toBe(0)
    expect((await mine()).rows.map((row) => row.identityName).sort()).toEqual(['a-owned-recent', 'c-backup', 'e-owned-dormant-priv'])
  })

  it('makes one item per active grant in an entitlement review', async () => {
    const c = await launched(a, { type: 'entitlement', scope: { q: 'a-owned' } })
    const items = await itemsOf(c.id)
    expect(items).toHaveLength(2)
    expect(items.map((i) => i.recommendation).sort()).toEqual(['keep', 'revoke'])
    expect(items.every((i) => i.grantId && parseSnapshot(i.snapshot)!.entitlement?.name === 's3:GetObject')).toBe(true)
  })

  it('refuses an empty scope, a past due date and members, with clear messages', async () => {
    const gov = a.ctx('governance')
    await expect(createCampaign(gov, input(a, { scope: { q: 'nothing-like-this' }, launch: true }))).rejects.toThrow(/scope matches no identities/)
    await expect(createCampaign(gov, input(a, { dueAt: new Date(Date.now() - DAY).toISOString() }))).rejects.toBeInstanceOf(ValidationError)
    await expect(createCampaign(a.ctx('member'), input(a))).rejects.toBeInstanceOf(ForbiddenError)
    await expect(createCampaign(gov, input(a, { fallbackReviewerId: a.people.auditor.id }))).rejects.toThrow(/active member who can review/)
    const draft = await createCampaign(gov, input(a))
    await expect(launchCampaign(a.ctx('member'), draft.campaign.id)).rejects.toBeInstanceOf(ForbiddenError)
    await expect(launchCampaign(b.ctx('admin'), draft.campaign.id)).rejects.toBeInstanceOf(NotFoundError)
    await db.campaign.update({ where: { id: draft.campaign.id }, data: { dueAt: new Date(Date.now() - 1000) } })
    await expect(launchCampaign(gov, draft.campaign.id)).rejects.toThrow(/due date has passed/)
  })

  it('records a decision with its Decision row and audit row; enforces the justification rule', async () => {
    const c = await launched(a)
    const mine = (await itemsOf(c.id)).find((i) => i.identityName === 'e-owned-dormant-priv')!
    const member = a.ctx('member')
    await expect(decideItem(member, { orgSlug: a.org.slug, itemId: mine.id, version: 0, decision: 'revoke', justification: null })).rejects.toBeInstanceOf(
      ValidationError,
    )
    const r = await decideItem(member, { orgSlug: a.org.slug, itemId: mine.id, version: 0, decision: 'revoke', justification: 'Unused for months' })
    expect(r).toMatchObject({ decision: 'revoke', version: 1, status: 'decided' })
    const decisions = await db.decision.findMany({ where: { reviewItemId: mine.id } })
    expect(decisions).toHaveLength(1)
    expect(decisions[0]).toMatchObject({ decision: 'revoke', decidedById: a.people.member.id, justification: 'Unused for months', bulk: false })
    const audit = await db.auditEvent.findFirstOrThrow({ where: { orgId: a.org.id, action: 'review.decide', targetId: mine.id } })
    expect(audit).toMatchObject({ actorId: a.people.member.id, justification: 'Unused for months' })
    expect((await db.campaign.findUniqueOrThrow({ where: { id: c.id } })).decidedCount).toBe(1)
    // The reviewer may change their mind while the stage is open.
    await decideItem(member, { orgSlug: a.org.slug, itemId: mine.id, version: 1, decision: 'keep', justification: null })
    expect((await db.campaign.findUniqueOrThrow({ where: { id: c.id } })).decidedCount).toBe(1)
    expect(await db.decision.count({ where: { reviewItemId: mine.id } })).toBe(2)
  })

  it('answers a stale version with a conflict naming the current decision', async () => {
    const c = await launched(a)
    const item = (await itemsOf(c.id)).find((i) => i.identityName === 'a-owned-recent')!
    const member = a.ctx('member')
    await decideItem(member, { orgSlug: a.org.slug, itemId: item.id, version: 0, decision: 'keep', justification: null })
    const stale = decideItem(member, { orgSlug: a.org.slug, itemId: item.id, version: 0, decision: 'revoke', justification: 'other tab' })
    await expect(stale).rejects.toBeInstanceOf(ConflictError)
    await expect(decideItem(member, { orgSlug: a.org.slug, itemId: item.id, version: 0, decision: 'revoke', justification: 'other tab' })).rejects.toThrow(
      /now “Keep” by member of/,
    )
    expect((await db.reviewItem.findUniqueOrThrow({ where: { id: item.id } })).decision).toBe('keep')
  })

  it('keeps reviewers to their own items and organizations apart', async () => {
    const c = await launched(a)
    const items = await itemsOf(c.id)
    const govItem = items.find((i) => i.reviewerId === a.people.governance.id)!
    await expect(
      decideItem(a.ctx('member'), { orgSlug: a.org.slug, itemId: govItem.id, version: 0, decision: 'keep', justification: null }),
    ).rejects.toBeInstanceOf(ForbiddenError)
    await expect(
      decideItem(b.ctx('member'), { orgSlug: b.org.slug, itemId: govItem.id, version: 0, decision: 'keep', justification: null }),
    ).rejects.toBeInstanceOf(NotFoundError)
    await expect(
      reassignItems(a.ctx('member'), { orgSlug: a.org.slug, ids: [govItem.id], toUserId: a.people.admin.id, reason: 'not mine' }),
    ).rejects.toBeInstanceOf(ForbiddenError)
    await expect(
      reassignItems(b.ctx('admin'), { orgSlug: b.org.slug, ids: [govItem.id], toUserId: b.people.member.id, reason: 'steal' }),
    ).rejects.toBeInstanceOf(NotFoundError)
    await expect(requestClose(a.ctx('member'), c.id)).rejects.toBeInstanceOf(ForbiddenError)
    await expect(requestClose(b.ctx('admin'), c.id)).rejects.toBeInstanceOf(NotFoundError)
    // An admin reassigns with a reason; the new reviewer sees it and the old one does not.
    await reassignItems(a.ctx('admin'), { orgSlug: a.org.slug, ids: [govItem.id], toUserId: a.people.member.id, reason: 'Mo knows this bot' })
    const mine = await listMyReviewItems(a.ctx('member'), reviewListSchema.parse({ campaign: c.id }))
    expect(mine.rows.map((r) => r.id)).toContain(govItem.id)
    const theirs = await listMyReviewItems(a.ctx('governance'), reviewListSchema.parse({ campaign: c.id }))
    expect(theirs.total).toBe(0)
    expect(await db.auditEvent.count({ where: { orgId: a.org.id, action: 'review.reassign', justification: 'Mo knows this bot' } })).toBe(1)
  })

  it('bulk-accepts recommendations and reports rubber-stamp signals', async () => {
    const c = await launched(a)
    const member = a.ctx('member')
    const r = await bulkDecide(member, {
      orgSlug: a.org.slug,
      filter: { campaign: c.id, state: 'open' },
      decision: 'accept',
      justification: 'Checked with the team',
    })
    expect(r).toEqual({ decided: 3, skipped: 0 })
    const items = (await itemsOf(c.id)).filter((i) => i.reviewerId === a.people.member.id)
    expect(items.every((i) => i.decision === i.recommendation)).toBe(true)
    expect(await db.decision.count({ where: { campaignId: c.id, bulk: true } })).toBe(3)
    await expect(bulkDecide(member, { orgSlug: a.org.slug, ids: items.map((i) => i.id), decision: 'revoke', justification: null })).rejects.toThrow(
      /need a justification/,
    )
    const stats = await campaignStats(a.ctx('auditor'), c.id)
    expect(stats).toMatchObject({ total: 5, decided: 3 })
    expect(stats.rubberStamp.bulkShare).toBe(1)
    expect(stats.rubberStamp.recommendedRevokesKept).toBe(0)
  })

  it('decides 1,200 selected items at once (more ids than SQLite binds in one list), each once, with one audit row', async () => {
    const o = await createOrg('Many')
    const now = Date.now()
    await db.identity.createMany({
      data: Array.from({ length: 1200 }, (_, n) => ({
        orgId: o.org.id,
        sourceId: o.source.id,
        externalId: uid(`m${n}-`),
        name: `many-${String(n).padStart(4, '0')}`,
        searchText: `many-${n}`,
        kind: 'service_account',
        createdAt: new Date(now - 400 * DAY),
        lastUsedAt: new Date(now - DAY),
        ownerId: o.people.member.id,
      })),
    })
    const c = await launched(o, { justificationRule: 'never' })
    const ids = (await db.reviewItem.findMany({ where: { campaignId: c.id }, select: { id: true } })).map((i) => i.id)
    expect(ids).toHaveLength(1200)
    const before = await db.auditEvent.count({ where: { orgId: o.org.id, action: 'review.bulk-decide' } })
    const r = await bulkDecide(o.ctx('member'), { orgSlug: o.org.slug, ids: [...ids, ids[0]].reverse(), decision: 'keep', justification: null })
    expect(r).toEqual({ decided: 1200, skipped: 0 })
    expect(await db.decision.count({ where: { campaignId: c.id } })).toBe(1200)
    expect(await db.reviewItem.count({ where: { campaignId: c.id, decision: 'keep', version: 1 } })).toBe(1200)
    expect(await db.auditEvent.count({ where: { orgId: o.org.id, action: 'review.bulk-decide' } })).toBe(before + 1)
  })

  it('closes: applies the default decision, locks decisions, queues revokes, schedules the next run', async () => {
    const c = await launched(a, { defaultDecision: 'recommendation', recurrence: 'quarterly' })
    const items = await itemsOf(c.id)
    const member = a.ctx('member')
    const kept = items.find((i) => i.identityName === 'e-owned-dormant-priv')!
    await decideItem(member, { orgSlug: a.org.slug, itemId: kept.id, version: 0, decision: 'keep', justification: null })
    await requestClose(a.ctx('governance'), c.id)
    await expect(requestClose(a.ctx('governance'), c.id)).rejects.toBeInstanceOf(ConflictError)
    await drainJobs()
    const closed = await db.campaign.findUniqueOrThrow({ where: { id: c.id } })
    expect(closed.status).toBe('closed')
    const after = await itemsOf(c.id)
    expect(after.every((i) => i.status === 'closed')).toBe(true)
    const dormant = after.find((i) => i.identityName === 'b-unowned-dormant')!
    expect(dormant).toMatchObject({ decision: 'revoke', decidedById: null })
    expect(dormant.remediationStatus).not.toBe('none')
    expect(after.find((i) => i.identityName === 'e-owned-dormant-priv')).toMatchObject({ decision: 'keep', remediationStatus: 'none' })
    expect(await db.decision.count({ where: { campaignId: c.id, decidedById: null } })).toBe(4)
    await expect(decideItem(member, { orgSlug: a.org.slug, itemId: kept.id, version: 1, decision: 'revoke', justification: 'too late' })).rejects.toThrow(
      /closed: decisions are locked/,
    )
    const next = await db.campaign.findFirstOrThrow({ where: { previousId: c.id } })
    expect(next).toMatchObject({ status: 'scheduled', name: c.name, recurrence: 'quarterly' })
    expect(next.dueAt!.getTime()).toBeGreaterThan(c.dueAt!.getTime() + 80 * DAY)
    expect(await db.auditEvent.count({ where: { orgId: a.org.id, action: 'campaign.closed', targetId: c.id } })).toBe(1)
    // The default decisions were written with their own audit row (same transaction), naming what they decided.
    const defaults = await db.auditEvent.findMany({ where: { orgId: a.org.id, action: 'campaign.default-decision', targetId: c.id } })
    expect(defaults).toHaveLength(1)
    expect(JSON.parse(defaults[0].details)).toMatchObject({ stage: 1, rule: 'recommendation', items: 4 })
  })

  it('hands privileged items to a governance sign-off stage', async () => {
    const c = await launched(a, { secondStage: 'privileged', defaultDecision: 'keep' })
    const member = a.ctx('member')
    const priv = (await itemsOf(c.id)).find((i) => i.identityName === 'a-owned-recent')!
    await decideItem(member, { orgSlug: a.org.slug, itemId: priv.id, version: 0, decision: 'keep', justification: null })
    await requestClose(a.ctx('governance'), c.id)
    await drainJobs()
    const mid = await db.campaign.findUniqueOrThrow({ where: { id: c.id } })
    expect(mid).toMatchObject({ status: 'active', currentStage: 2 })
    const moved = await db.reviewItem.findUniqueOrThrow({ where: { id: priv.id } })
    expect(moved).toMatchObject({ stage: 2, status: 'pending', firstDecision: 'keep', reviewerId: a.people.governance.id })
    await expect(
      decideItem(member, { orgSlug: a.org.slug, itemId: priv.id, version: moved.version, decision: 'keep', justification: null }),
    ).rejects.toBeInstanceOf(ForbiddenError)
    await decideItem(a.ctx('governance'), {
      orgSlug: a.org.slug,
      itemId: priv.id,
      version: moved.version,
      decision: 'revoke',
      justification: 'Sign-off: too broad',
    })
    await requestClose(a.ctx('governance'), c.id)
    await drainJobs()
    expect((await db.campaign.findUniqueOrThrow({ where: { id: c.id } })).status).toBe('closed')
  })

  it('escalates overdue items to the fallback reviewer, then closes at the end of the grace period', async () => {
    const c = await launched(a, { graceDays: 3, defaultDecision: 'open' })
    await db.campaign.update({ where: { id: c.id }, data: { dueAt: new Date(Date.now() - 1000) } })
    await campaignsScheduler.run(new Date())
    const items = await itemsOf(c.id)
    expect(items.every((i) => i.reviewerId === a.people.governance.id)).toBe(true)
    expect(items.filter((i) => i.escalatedAt).length).toBe(4)
    await campaignsScheduler.run(new Date(Date.now() + 4 * DAY))
    await drainJobs()
    expect((await db.campaign.findUniqueOrThrow({ where: { id: c.id } })).status).toBe('closed')
  })

  it('accepting recommendations in bulk obeys the campaign’s justification rule like a single decision does', async () => {
    const o = await createOrg('Justify')
    await addIdentity(o.org.id, o.source.id, { name: 'j-dormant-1', ownerId: o.people.member.id, lastUsedDaysAgo: 200 })
    await addIdentity(o.org.id, o.source.id, { name: 'j-dormant-2', ownerId: o.people.member.id, lastUsedDaysAgo: 300 })
    await addIdentity(o.org.id, o.source.id, { name: 'j-recent', ownerId: o.people.member.id, lastUsedDaysAgo: 1 })
    const c = await launched(o, { justificationRule: 'revoke' })
    const member = o.ctx('member')
    const filter = { campaign: c.id, state: 'open' as const }
    await expect(bulkDecide(member, { orgSlug: o.org.slug, filter, decision: 'accept', justification: null })).rejects.toThrow(
      /2 of these items need a justification/,
    )
    // Refused as a whole: not even the item that needed no justification was decided.
    expect((await itemsOf(c.id)).every((i) => i.decision === null)).toBe(true)
    const r = await bulkDecide(member, { orgSlug: o.org.slug, filter, decision: 'accept', justification: 'Both unused since the migration' })
    expect(r).toEqual({ decided: 3, skipped: 0 })
    const items = await itemsOf(c.id)
    expect(items.filter((i) => i.decision === 'revoke').map((i) => i.justification)).toEqual([
      'Both unused since the migration',
      'Both unused since the migration',
    ])
  })

  it('the close preview counts exactly what the close then does', async () => {
    const o = await createOrg('Preview')
    await addIdentity(o.org.id, o.source.id, { name: 'p-dormant-1', ownerId: o.people.member.id, lastUsedDaysAgo: 200 })
    await addIdentity(o.org.id, o.source.id, { name: 'p-dormant-2', ownerId: o.people.member.id, lastUsedDaysAgo: 300 })
    await addIdentity(o.org.id, o.source.id, { name: 'p-recent', ownerId: o.people.member.id, lastUsedDaysAgo: 1 })
    await addIdentity(o.org.id, o.source.id, { name: 'p-decided', ownerId: o.people.member.id, lastUsedDaysAgo: 2 })
    const c = await launched(o, { defaultDecision: 'recommendation', justificationRule: 'never' })
    const decided = (await itemsOf(c.id)).find((i) => i.identityName === 'p-decided')!
    await decideItem(o.ctx('member'), { orgSlug: o.org.slug, itemId: decided.id, version: 0, decision: 'revoke', justification: null })
    await expect(previewClose(o.ctx('member'), c.id)).rejects.toBeInstanceOf(ForbiddenError)
    const p = await previewClose(o.ctx('governance'), c.id)
    expect(p).toMatchObject({ final: true, open: 3, toKeep: 1, toRevoke: 2, stayOpen: 0, toSignoff: 0, revocations: 3 })
    await requestClose(o.ctx('governance'), c.id)
    await drainJobs()
    const after = await itemsOf(c.id)
    expect(after.filter((i) => i.decidedById === null && i.decision === 'revoke')).toHaveLength(p.toRevoke)
    expect(after.filter((i) => i.decidedById === null && i.decision === 'keep')).toHaveLength(p.toKeep)
    expect(await db.remediation.count({ where: { orgId: o.org.id } })).toBe(p.revocations)
    await expect(previewClose(o.ctx('governance'), c.id)).rejects.toBeInstanceOf(ConflictError)
  })
})
