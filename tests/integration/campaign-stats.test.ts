import { beforeAll, describe, expect, it } from 'vitest'
import { decideItem } from '@/lib/campaigns/decide'
import { createCampaign, requestClose } from '@/lib/campaigns/mutations'
import { campaignStats, getCampaignDetail, REVIEWERS_PAGE_SIZE } from '@/lib/campaigns/queries'
import { campaignInputSchema } from '@/lib/campaigns/schemas'
import { db } from '@/lib/db'
import { NotFoundError } from '@/lib/errors'
import { drainJobs } from '@/lib/jobs/worker'
import { addIdentity, createOrg, engine, uid } from './fixtures'

const DAY = 86_400_000
type Org = Awaited<ReturnType<typeof createOrg>>
type Stats = Awaited<ReturnType<typeof campaignStats>>

/** Every page of the Reviewers panel, in order. */
async function allReviewers(org: Org, campaignId: string) {
  const first = await campaignStats(org.ctx('auditor'), campaignId)
  const rows = [...first.reviewers]
  for (let p = 2; p <= first.reviewerPages; p++) rows.push(...(await campaignStats(org.ctx('auditor'), campaignId, { reviewerPage: p })).reviewers)
  return { first, rows }
}

function expectSumsMatchHeader(s: Stats, rows: Stats['reviewers']) {
  const sum = (k: 'decided' | 'defaulted' | 'open') => rows.reduce((n, r) => n + r[k], 0)
  expect({ decided: sum('decided'), defaulted: sum('defaulted'), open: sum('open') }).toEqual(s.reviewerTotals)
  expect(sum('decided') + sum('defaulted')).toBe(s.decided)
  expect(sum('decided') + sum('defaulted') + sum('open')).toBe(s.total)
}

describe(`campaign statistics agree with the items (${engine})`, () => {
  let a: Org
  beforeAll(async () => {
    a = await createOrg('Stats A')
  })

  it('lists every reviewer across pages, including one with nothing open, and the rows add up to the header', async () => {
    const ident = await addIdentity(a.org.id, a.source.id)
    const c = await db.campaign.create({
      data: { orgId: a.org.id, name: 'Big review', type: 'identity', status: 'active', launchedAt: new Date(), itemCount: 45 },
    })
    const reviewers = []
    for (let n = 0; n < 13; n++)
      reviewers.push(await db.user.create({ data: { email: `${uid()}@test.example`, name: `Reviewer ${String(n).padStart(2, '0')}` } }))
    const heavy = reviewers[12]
    const item = (r: Record<string, unknown>) => ({ orgId: a.org.id, campaignId: c.id, identityId: ident.id, snapshot: '{}', ...r })
    await db.reviewItem.createMany({ data: reviewers.slice(0, 12).flatMap((r) => [item({ reviewerId: r.id }), item({ reviewerId: r.id })]) })
    await db.reviewItem.createMany({
      data: Array.from({ length: 21 }, () => item({ reviewerId: heavy.id, status: 'decided', decision: 'keep', decidedById: heavy.id, decidedAt: new Date() })),
    })

    const { first, rows } = await allReviewers(a, c.id)
    expect(first).toMatchObject({ total: 45, decided: 21, defaulted: 0, reviewerCount: 13, reviewerPages: Math.ceil(13 / REVIEWERS_PAGE_SIZE) })
    expect(rows).toHaveLength(13)
    expect(rows.find((r) => r.id === heavy.id)).toMatchObject({ name: heavy.name, decided: 21, defaulted: 0, open: 0 })
    expect(first.reviewerOptions).toHaveLength(13)
    expectSumsMatchHeader(first, rows)
  })

  it('a default decision is counted as such, not as the reviewer’s; "don’t know" is open until then', async () => {
    const owned = []
    for (let n = 0; n < 4; n++) owned.push(await addIdentity(a.org.id, a.source.id, { name: uid('close-'), ownerId: a.people.member.id }))
    const input = campaignInputSchema.parse({
      orgSlug: a.org.slug,
      name: uid('Close '),
      type: 'identity',
      scope: { owner: a.people.member.id, q: 'close-' },
      fallbackReviewerId: a.people.governance.id,
      dueAt: new Date(Date.now() + 14 * DAY).toISOString(),
      defaultDecision: 'keep',
      justificationRule: 'never',
      launch: true,
    })
    const { campaign } = await createCampaign(a.ctx('governance'), input)
    await drainJobs()
    const items = await db.reviewItem.findMany({ where: { campaignId: campaign.id }, orderBy: { id: 'asc' } })
    expect(items).toHaveLength(4)
    await decideItem(a.ctx('member'), { orgSlug: a.org.slug, itemId: items[0].id, version: 0, decision: 'revoke', justification: 'not needed' })
    await decideItem(a.ctx('member'), { orgSlug: a.org.slug, itemId: items[1].id, version: 0, decision: 'unsure', justification: null })
    const before = await campaignStats(a.ctx('governance'), campaign.id)
    expect(before.reviewers).toEqual([expect.objectContaining({ id: a.people.member.id, decided: 1, defaulted: 0, open: 3 })])
    // The default decision applies to everything still pending at close, "don't know" included.
    await requestClose(a.ctx('governance'), campaign.id)
    await drainJobs()
    const s = await campaignStats(a.ctx('governance'), campaign.id)
    expect(s).toMatchObject({ total: 4, decided: 4, defaulted: 3 })
    expect(s.reviewers).toEqual([expect.objectContaining({ id: a.people.member.id, decided: 1, defaulted: 3, open: 0 })])
    expectSumsMatchHeader(s, s.reviewers)
    const c = await db.campaign.findUniqueOrThrow({ where: { id: campaign.id } })
    expect(c.decidedCount).toBe(s.decided)
  })

  it('describes the scope with names from this organization, never raw ids', async () => {
    const team = await db.team.create({ data: { orgId: a.org.id, slug: uid('t'), name: 'Payments' } })
    const b = await createOrg('Stats C')
    const scope = { owner: a.people.member.id, source: [a.source.id, b.source.id], team: team.id, kind: ['bot'] }
    const c = await db.campaign.create({
      data: { orgId: a.org.id, name: 'Scoped', type: 'identity', scope: JSON.stringify(scope), createdById: a.people.governance.id },
    })
    const got = await getCampaignDetail(a.ctx('auditor'), c.id)
    // Another organization's source is not looked up: it reads as removed.
    expect(got.scope).toEqual(['kind: Bot', 'source: AWS test, a removed source', `owner: ${a.people.member.name}`, 'team: Payments'])
    const mine = await db.campaign.create({
      data: { orgId: a.org.id, name: 'Mine', type: 'identity', scope: JSON.stringify({ owner: 'me' }), createdById: a.people.governance.id },
    })
    expect((await getCampaignDetail(a.ctx('auditor'), mine.id)).scope).toEqual([`owner: ${a.people.governance.name}`])
  })

  it('refuses another organization’s campaign', async () => {
    const b = await createOrg('Stats B')
    const c = await db.campaign.create({ data: { orgId: a.org.id, name: 'Mine', type: 'identity', status: 'active' } })
    await expect(campaignStats(b.ctx('admin'), c.id)).rejects.toBeInstanceOf(NotFoundError)
  })
})
