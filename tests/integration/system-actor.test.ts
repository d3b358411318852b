import { describe, expect, it } from 'vitest'
import { closeCampaignJob, launchCampaignJob } from '@/lib/campaigns/jobs'
import { decideItem } from '@/lib/campaigns/decide'
import { createCampaign, requestClose } from '@/lib/campaigns/mutations'
import { campaignsScheduler } from '@/lib/campaigns/scheduler'
import { campaignInputSchema } from '@/lib/campaigns/schemas'
import { db } from '@/lib/db'
import { drainJobs } from '@/lib/jobs/worker'
import { requestRemediation } from '@/lib/remediation/mutations'
import { addIdentity, createOrg, engine, uid } from './fixtures'

const DAY = 86_400_000

// What a person asks for is audited as that person; the work a job then does is audited as the system, naming the
// job (type and id) — never as a person or a role borrowed for the occasion.
describe(`jobs act as the system, named in the audit (${engine})`, () => {
  async function campaign(o: Awaited<ReturnType<typeof createOrg>>, over: Record<string, unknown> = {}) {
    const input = campaignInputSchema.parse({
      orgSlug: o.org.slug,
      name: `Review ${uid()}`,
      type: 'identity',
      scope: {},
      fallbackReviewerId: o.people.governance.id,
      dueAt: new Date(Date.now() + 14 * DAY).toISOString(),
      launch: true,
      ...over,
    })
    const r = await createCampaign(o.ctx('governance'), input)
    await drainJobs()
    return r.campaign
  }
  const audit = (orgId: string, action: string, targetId: string) => db.auditEvent.findFirstOrThrow({ where: { orgId, action, targetId } })
  /** An identity on a simulated source: its remediation applies at once. */
  async function simulatedIdentity(o: Awaited<ReturnType<typeof createOrg>>) {
    const source = await db.source.create({ data: { orgId: o.org.id, name: uid('aws-'), type: 'aws', config: JSON.stringify({ simulated: true }) } })
    return addIdentity(o.org.id, source.id)
  }

  it('a launch: the request is the governance member’s, the snapshot is the launch job’s', async () => {
    const o = await createOrg('System launch')
    await addIdentity(o.org.id, o.source.id)
    const c = await campaign(o)
    const job = await db.job.findUniqueOrThrow({ where: { idempotencyKey: launchCampaignJob.key({ campaignId: c.id }, { orgId: o.org.id }) } })
    expect(job.status).toBe('succeeded')
    expect(await audit(o.org.id, 'campaign.launch', c.id)).toMatchObject({ actorType: 'user', actorId: o.people.governance.id })
    expect(await audit(o.org.id, 'campaign.launched', c.id)).toMatchObject({ actorType: 'system', actorId: null, actorLabel: `launch_campaign ${job.id}` })
  })

  it('a close turns revokes into remediation requests as the close job, not as the campaign’s creator', async () => {
    const o = await createOrg('System close')
    const identity = await simulatedIdentity(o)
    const c = await campaign(o)
    const gov = o.ctx('governance')
    const item = await db.reviewItem.findFirstOrThrow({ where: { campaignId: c.id } })
    await decideItem(gov, { orgSlug: o.org.slug, itemId: item.id, version: item.version, decision: 'revoke', justification: 'not needed any more' })
    await requestClose(gov, c.id)
    await drainJobs()
    const close = await db.job.findUniqueOrThrow({ where: { idempotencyKey: closeCampaignJob.key({ campaignId: c.id, stage: 1 }, { orgId: o.org.id }) } })
    expect(close.status).toBe('succeeded')
    const rem = await db.remediation.findFirstOrThrow({ where: { orgId: o.org.id, reviewItemId: item.id } })
    // The decision is the authority; nobody is recorded as having asked for the remediation.
    expect(rem).toMatchObject({ kind: 'disable_identity', requestedById: null })
    expect(await audit(o.org.id, 'remediation.request', identity.id)).toMatchObject({
      actorType: 'system',
      actorId: null,
      actorLabel: `close_campaign ${close.id}`,
    })
    expect(await audit(o.org.id, 'campaign.closed', c.id)).toMatchObject({ actorType: 'system', actorLabel: `close_campaign ${close.id}` })
    // The remediation job then applies it, as itself.
    expect(await audit(o.org.id, 'remediation.applied', identity.id)).toMatchObject({ actorType: 'system', actorLabel: `disable_identity ${rem.jobId}` })
  })

  it('a remediation a person asked for is applied by its job, named in the audit', async () => {
    const o = await createOrg('System remediation')
    const identity = await simulatedIdentity(o)
    const r = await requestRemediation(o.ctx('governance'), { kind: 'disable_identity', identityId: identity.id, justification: 'dormant for a year' })
    await drainJobs()
    expect(await audit(o.org.id, 'remediation.request', identity.id)).toMatchObject({ actorType: 'user', actorId: o.people.governance.id })
    expect(await audit(o.org.id, 'remediation.applied', identity.id)).toMatchObject({
      actorType: 'system',
      actorId: null,
      actorLabel: `disable_identity ${r.remediation.jobId}`,
    })
  })

  it('what a scheduler changes itself is audited as that scheduler', async () => {
    const o = await createOrg('System scheduler')
    await addIdentity(o.org.id, o.source.id)
    const c = await campaign(o)
    await db.campaign.update({ where: { id: c.id }, data: { dueAt: new Date(Date.now() - 1000) } })
    await campaignsScheduler.run(new Date())
    expect(await audit(o.org.id, 'campaign.close', c.id)).toMatchObject({ actorType: 'system', actorId: null, actorLabel: 'campaigns scheduler' })
  })
})
