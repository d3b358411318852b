import { describe, expect, it } from 'vitest'
import { listAuditEvents } from '@/lib/audit/queries'
import { auditListSchema } from '@/lib/audit/schemas'
import { bulkDecide, decideItem } from '@/lib/campaigns/decide'
import { createCampaign } from '@/lib/campaigns/mutations'
import { campaignInputSchema } from '@/lib/campaigns/schemas'
import { db } from '@/lib/db'
import { updatePostureSettings } from '@/lib/findings/mutations'
import { postureSettingsSchema } from '@/lib/findings/schemas'
import { drainJobs } from '@/lib/jobs/worker'
import { assignOwner } from '@/lib/ownership/mutations'
import { addIdentity, createOrg, engine, uid } from './fixtures'

type Org = Awaited<ReturnType<typeof createOrg>>

async function addGrant(o: Org, identityId: string) {
  const resource = await db.resource.create({ data: { orgId: o.org.id, sourceId: o.source.id, externalId: uid('r'), name: 'payments-db', type: 'database' } })
  const ent = await db.entitlement.create({
    data: { orgId: o.org.id, sourceId: o.source.id, resourceId: resource.id, externalId: uid('e'), name: 'db:admin', privileged: true },
  })
  return db.grant.create({ data: { orgId: o.org.id, identityId, entitlementId: ent.id, privileged: true, status: 'active', createdAt: new Date() } })
}

async function launched(o: Org, type: 'identity' | 'entitlement') {
  const r = await createCampaign(
    o.ctx('governance'),
    campaignInputSchema.parse({
      orgSlug: o.org.slug,
      name: `Review ${uid()}`,
      type,
      scope: {},
      fallbackReviewerId: o.people.governance.id,
      dueAt: new Date(Date.now() + 14 * 86_400_000).toISOString(),
      defaultDecision: 'open',
      justificationRule: 'revoke',
      launch: true,
    }),
  )
  await drainJobs()
  return db.campaign.findUniqueOrThrow({ where: { id: r.campaign.id } })
}

const lastRow = async (orgId: string, action: string) => {
  const row = await db.auditEvent.findFirstOrThrow({ where: { orgId, action }, orderBy: { seq: 'desc' } })
  return { ...row, details: JSON.parse(row.details) as Record<string, unknown> }
}

describe(`audit rows an auditor can read (${engine})`, () => {
  it('a review decision names the decision, the identity, the grant and carries the justification', async () => {
    const o = await createOrg()
    const identity = await addIdentity(o.org.id, o.source.id, { name: 'billing-exporter', ownerId: o.people.member.id })
    const grant = await addGrant(o, identity.id)
    const c = await launched(o, 'entitlement')
    const item = await db.reviewItem.findFirstOrThrow({ where: { campaignId: c.id, grantId: grant.id } })
    await decideItem(o.ctx('member'), { orgSlug: o.org.slug, itemId: item.id, version: item.version, decision: 'revoke', justification: 'Nobody uses it' })
    const row = await lastRow(o.org.id, 'review.decide')
    expect(row.justification).toBe('Nobody uses it')
    expect(row.details).toMatchObject({
      decision: 'revoke',
      previous: null,
      campaign: c.name,
      identity: { id: identity.id, name: 'billing-exporter' },
      grant: { id: grant.id, name: 'db:admin on payments-db' },
    })
    const { rows } = await listAuditEvents(o.ctx('auditor'), auditListSchema.parse({ action: 'review.decide' }))
    expect(rows[0].change).toBe('decision: revoke · identity: billing-exporter · grant: db:admin on payments-db')
  })

  it('a bulk decision names the items it decided, bounded', async () => {
    const o = await createOrg()
    for (const n of ['svc-a', 'svc-b', 'svc-c', 'svc-d']) await addIdentity(o.org.id, o.source.id, { name: n, ownerId: o.people.member.id })
    const c = await launched(o, 'identity')
    await bulkDecide(o.ctx('member'), { orgSlug: o.org.slug, filter: { campaign: c.id, state: 'open' }, decision: 'keep', justification: 'Still needed' })
    const row = await lastRow(o.org.id, 'review.bulk-decide')
    const items = row.details.items as { id: string; identity: string; decision: string }[]
    expect(items.map((i) => i.identity).sort()).toEqual(['svc-a', 'svc-b', 'svc-c', 'svc-d'])
    expect(items.every((i) => i.decision === 'keep' && typeof i.id === 'string')).toBe(true)
    const { rows } = await listAuditEvents(o.ctx('auditor'), auditListSchema.parse({ action: 'review.bulk-decide' }))
    expect(rows[0].change).toMatch(/^decision: keep · 4 keep · items: svc-., svc-., svc-. and 1 more$/)
  })

  it('a settings change carries old and new values; a bulk assignment names the identities beside their ids', async () => {
    const o = await createOrg()
    await updatePostureSettings(
      o.ctx('admin'),
      postureSettingsSchema.parse({ orgSlug: o.org.slug, dormantDays: 45, rotationMaxDays: 365, privilegedUnusedDays: 90, humanUseWindowDays: 30 }),
    )
    const settings = await lastRow(o.org.id, 'settings.update')
    expect(settings.details).toMatchObject({ before: { dormantDays: 90 }, after: { dormantDays: 45 } })
    const list = await listAuditEvents(o.ctx('auditor'), auditListSchema.parse({ action: 'settings.update' }))
    expect(list.rows[0].change).toContain('dormantDays: 90 → 45')

    const ids = []
    for (const n of ['alpha-bot', 'beta-bot']) ids.push((await addIdentity(o.org.id, o.source.id, { name: n })).id)
    await assignOwner(o.ctx('admin'), { identityIds: ids, fields: { ownerId: o.people.member.id } })
    const bulk = await lastRow(o.org.id, 'identity.bulk-assign-owner')
    expect((bulk.details.identities as { id: string; name: string }[]).sort((x, y) => x.name.localeCompare(y.name))).toEqual([
      { id: ids[0], name: 'alpha-bot' },
      { id: ids[1], name: 'beta-bot' },
    ])
  })
})
