import { describe, expect, it } from 'vitest'
import { db } from '@/lib/db'
import { campaignRemindersJob, closeCampaignJob, launchCampaignJob } from '@/lib/campaigns/jobs'
import { enqueueJobNow } from '@/lib/jobs/queue'
import { drainJobs } from '@/lib/jobs/worker'
import { sendEmailJob } from '@/lib/notifications/jobs'
import { addIdentity, createOrg, engine, uid } from './fixtures'

// A job acts only inside its own organization: a payload naming another organization's record changes nothing.
describe(`jobs stay inside their organization (${engine})`, () => {
  it('a campaign job cannot close, launch or remind another organization’s campaign', async () => {
    const a = await createOrg('Alpha')
    const b = await createOrg('Beta')
    const closing = await db.campaign.create({ data: { orgId: b.org.id, name: 'Beta review', type: 'identity', status: 'closing' } })
    const launching = await db.campaign.create({ data: { orgId: b.org.id, name: 'Beta launch', type: 'identity', status: 'launching' } })
    const jobs = [
      await enqueueJobNow(closeCampaignJob, { campaignId: closing.id, stage: 1 }, { orgId: a.org.id }),
      await enqueueJobNow(launchCampaignJob, { campaignId: launching.id }, { orgId: a.org.id }),
      await enqueueJobNow(campaignRemindersJob, { campaignId: closing.id }, { orgId: a.org.id }),
    ]
    await drainJobs()
    expect(await db.campaign.findUniqueOrThrow({ where: { id: closing.id } })).toMatchObject({ status: 'closing', closedAt: null })
    expect(await db.campaign.findUniqueOrThrow({ where: { id: launching.id } })).toMatchObject({ status: 'launching', itemCount: 0 })
    expect(await db.auditEvent.count({ where: { orgId: { in: [a.org.id, b.org.id] }, action: { startsWith: 'campaign.' } } })).toBe(0)
    for (const j of jobs) expect((await db.job.findUniqueOrThrow({ where: { id: j.id } })).result).toContain('skipped')
  })

  it('an e-mail job cannot send another organization’s notification', async () => {
    const a = await createOrg('Alpha')
    const b = await createOrg('Beta')
    const n = await db.notification.create({ data: { orgId: b.org.id, userId: b.people.member.id, kind: 'test', title: 'Beta secret' } })
    const job = await enqueueJobNow(sendEmailJob, { notificationId: n.id }, { orgId: a.org.id })
    await drainJobs()
    expect(await db.job.findUniqueOrThrow({ where: { id: job.id } })).toMatchObject({ status: 'succeeded', result: expect.stringContaining('skipped') })
    expect((await db.notification.findUniqueOrThrow({ where: { id: n.id } })).emailedAt).toBeNull()
  })

  it('a remediation job without an organization loads nothing', async () => {
    const b = await createOrg('Beta')
    const identity = await addIdentity(b.org.id, b.source.id)
    const rem = await db.remediation.create({ data: { orgId: b.org.id, identityId: identity.id, kind: 'disable_identity', justification: 'test' } })
    // enqueueJob always names an organization: this row stands for a damaged or hand-made one.
    const job = await db.job.create({
      data: { orgId: null, type: 'disable_identity', payload: JSON.stringify({ remediationId: rem.id, targetId: identity.id }), idempotencyKey: uid('xrem-') },
    })
    await drainJobs()
    expect(await db.job.findUniqueOrThrow({ where: { id: job.id } })).toMatchObject({ status: 'failed' })
    expect(await db.remediation.findUniqueOrThrow({ where: { id: rem.id } })).toMatchObject({ status: 'pending' })
    expect((await db.identity.findUniqueOrThrow({ where: { id: identity.id } })).status).toBe('active')
  })
})
