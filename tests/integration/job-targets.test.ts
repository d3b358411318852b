import { describe, expect, it } from 'vitest'
import { db } from '@/lib/db'
import { closeCampaignJob, launchCampaignJob } from '@/lib/campaigns/jobs'
import { enqueueJobNow } from '@/lib/jobs/queue'
import { jobListSchema } from '@/lib/jobs/schemas'
import { offboardMemberJob } from '@/lib/ownership/jobs'
import { startBulkAssignByFilter } from '@/lib/ownership/mutations'
import { listJobs } from '@/lib/remediation/job-admin'
import { requestRemediation } from '@/lib/remediation/mutations'
import { syncSourceJob } from '@/lib/sources/jobs'
import { addIdentity, createOrg, engine, uid } from './fixtures'

// The Jobs page says what each job acts on: grant, credential, identity, campaign, source, person.
describe(`what each job acts on (${engine})`, () => {
  it('names grants, credentials, campaigns, sources and people, looked up in this organization only', async () => {
    const a = await createOrg('Jobs A')
    const b = await createOrg('Jobs B')
    const ident = await addIdentity(a.org.id, a.source.id, { name: uid('deploy-bot-') })
    const res = await db.resource.create({ data: { orgId: a.org.id, sourceId: a.source.id, externalId: uid('r'), name: 'acme/payments', type: 'repository' } })
    const ent = await db.entitlement.create({
      data: { orgId: a.org.id, sourceId: a.source.id, resourceId: res.id, externalId: uid('e'), name: 'admin', privileged: true },
    })
    const grant = await db.grant.create({ data: { orgId: a.org.id, identityId: ident.id, entitlementId: ent.id, privileged: true, createdAt: new Date() } })
    const cred = await db.credential.create({
      data: { orgId: a.org.id, identityId: ident.id, kind: 'token', label: 'deploy token', fingerprint: uid('fp'), createdAt: new Date() },
    })
    const ctx = a.ctx('governance')
    await requestRemediation(ctx, { kind: 'revoke_grant', identityId: ident.id, grantId: grant.id, justification: 'not needed' })
    await requestRemediation(ctx, { kind: 'rotate_credential', identityId: ident.id, credentialId: cred.id, justification: 'too old' })
    await requestRemediation(ctx, { kind: 'disable_identity', identityId: ident.id, justification: 'dormant' })
    const campaign = await db.campaign.create({ data: { orgId: a.org.id, name: 'Quarterly bots review', type: 'identity' } })
    const foreign = await db.campaign.create({ data: { orgId: b.org.id, name: 'Secret plans of B', type: 'identity' } })
    const inA = { orgId: a.org.id }
    await enqueueJobNow(launchCampaignJob, { campaignId: campaign.id }, inA)
    await enqueueJobNow(closeCampaignJob, { campaignId: foreign.id }, inA)
    await enqueueJobNow(syncSourceJob, { sourceId: a.source.id }, inA)
    await enqueueJobNow(offboardMemberJob, { userId: a.people.auditor.id, leaverLabel: a.people.auditor.email, reason: 'removed' }, inA)
    await startBulkAssignByFilter(ctx, { filter: { kind: 'service_account', owner: 'unowned' }, fields: { ownerId: a.people.member.id }, requestId: uid('r') })

    const { rows } = await listJobs(a.ctx('auditor'), jobListSchema.parse({}))
    const target = (type: string) => rows.find((r) => r.type === type)?.target
    expect(target('revoke_grant')).toMatchObject({
      label: 'admin on acme/payments',
      identity: { id: ident.id, name: ident.name },
      remediationStatus: 'pending',
    })
    expect(target('rotate_credential')).toMatchObject({ label: 'token deploy token', identity: { id: ident.id, name: ident.name } })
    expect(target('disable_identity')).toMatchObject({ label: ident.name, href: `/identities/${ident.id}` })
    expect(target('launch_campaign')).toEqual({ label: 'Quarterly bots review', href: `/campaigns/${campaign.id}` })
    // Another organization's campaign is never looked up.
    expect(target('close_campaign')).toEqual({ label: 'a deleted campaign', href: null })
    expect(target('sync_source')).toMatchObject({ label: 'AWS test' })
    expect(target('offboard_member')).toMatchObject({ label: `identities of ${a.people.auditor.name}` })
    expect(target('bulk_assign')).toMatchObject({ label: `identities matching kind: Service account · no owner: owner → ${a.people.member.name}` })
    expect(rows.every((r) => r.target !== null)).toBe(true)
  })
})
