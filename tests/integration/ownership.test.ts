import { randomBytes } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { verifyAuditChain } from '@/lib/audit/queries'
import { db } from '@/lib/db'
import { drainJobs } from '@/lib/jobs/worker'
import { deactivateMember, removeMember } from '@/lib/members/mutations'
import {
  acceptSuggestion,
  assignOwner,
  attestIdentity,
  decideTransfer,
  getBulkJob,
  listSuggestionsForIdentity,
  previewAssignByFilter,
  requestTransfer,
  startAcceptSuggestionsByFilter,
  startBulkAssignByFilter,
} from '@/lib/ownership/mutations'
import { getMyOverview } from '@/lib/ownership/queries'
import { addIdentity, createOrg, engine, uid } from './fixtures'

const rid = () => randomBytes(8).toString('hex')

async function addPerson(orgId: string, role = 'member', active = true) {
  const user = await db.user.create({ data: { email: `${uid('p')}@test.example`, name: uid('Person '), active } })
  await db.membership.create({ data: { orgId, userId: user.id, role } })
  return user
}

const audits = (orgId: string, action: string, targetId?: string) =>
  db.auditEvent.findMany({ where: { orgId, action, ...(targetId ? { targetId } : {}) }, orderBy: { seq: 'asc' } })

describe(`ownership (${engine})`, () => {
  it('assigns owner, backup and team to one identity, audited, and resolves owner-left', async () => {
    const { org, people, ctx, source } = await createOrg()
    const team = await db.team.create({ data: { orgId: org.id, slug: 'payments', name: 'Payments' } })
    const i = await addIdentity(org.id, source.id)
    await db.finding.create({ data: { orgId: org.id, identityId: i.id, rule: 'owner-left', owaspCode: 'NHI1', severity: 'high', title: 'x' } })
    const r = await assignOwner(ctx('governance'), {
      identityIds: [i.id],
      fields: { ownerId: people.member.id, backupOwnerId: people.admin.id, teamId: team.id },
    })
    expect(r).toEqual({ selected: 1, changed: 1 })
    const after = await db.identity.findUniqueOrThrow({ where: { id: i.id } })
    expect(after).toMatchObject({ ownerId: people.member.id, backupOwnerId: people.admin.id, teamId: team.id, ownerOrigin: 'manual' })
    expect(after.ownerAssignedAt).not.toBeNull()
    const [row] = await audits(org.id, 'identity.assign-owner', i.id)
    expect(row).toMatchObject({ actorId: people.governance.id, targetType: 'identity', outcome: 'success' })
    expect(JSON.parse(row.details)).toMatchObject({ from: { ownerId: null }, to: { ownerId: people.member.id, teamId: team.id }, origin: 'manual' })
    expect((await db.finding.findFirstOrThrow({ where: { identityId: i.id } })).status).toBe('resolved')
    // the new owner hears about it
    expect(await db.notification.count({ where: { userId: people.member.id, orgId: org.id, kind: 'ownership.assigned' } })).toBe(1)
    expect((await verifyAuditChain(ctx('admin'))).ok).toBe(true)
    // assigning the same again changes nothing and writes nothing
    expect((await assignOwner(ctx('admin'), { identityIds: [i.id], fields: { ownerId: people.member.id } })).changed).toBe(0)
  })

  it('refuses members, non-members, deactivated people, removed members and other orgs', async () => {
    const { org, people, ctx, source } = await createOrg()
    const other = await createOrg()
    const i = await addIdentity(org.id, source.id)
    await expect(assignOwner(ctx('member'), { identityIds: [i.id], fields: { ownerId: people.member.id } })).rejects.toThrow(/permission/)
    await expect(assignOwner(ctx('auditor'), { identityIds: [i.id], fields: { ownerId: people.member.id } })).rejects.toThrow(/permission/)
    await expect(assignOwner(ctx('admin'), { identityIds: [i.id], fields: { ownerId: other.people.member.id } })).rejects.toThrow(
      /must be a member of this organization/,
    )
    const gone = await addPerson(org.id, 'member', false)
    await expect(assignOwner(ctx('admin'), { identityIds: [i.id], fields: { ownerId: gone.id } })).rejects.toThrow(/is deactivated/)
    const removed = await addPerson(org.id)
    await db.membership.updateMany({ where: { userId: removed.id }, data: { status: 'removed' } })
    await expect(assignOwner(ctx('admin'), { identityIds: [i.id], fields: { backupOwnerId: removed.id } })).rejects.toThrow(/no longer a member/)
    const foreign = await addIdentity(other.org.id, other.source.id)
    await expect(assignOwner(ctx('admin'), { identityIds: [foreign.id], fields: { ownerId: people.member.id } })).rejects.toMatchObject({ status: 404 })
    await expect(assignOwner(ctx('admin'), { identityIds: [i.id, foreign.id], fields: { ownerId: people.member.id } })).rejects.toMatchObject({ status: 404 })
    const otherTeam = await db.team.create({ data: { orgId: other.org.id, slug: 'x', name: 'X' } })
    await expect(assignOwner(ctx('admin'), { identityIds: [i.id], fields: { teamId: otherTeam.id } })).rejects.toThrow(/team does not belong/)
    expect((await db.identity.findUniqueOrThrow({ where: { id: i.id } })).ownerId).toBeNull()
  })

  it('assigns a selection with one summary audit row and one row per identity', async () => {
    const { org, people, ctx, source } = await createOrg()
    const ids = []
    for (let k = 0; k < 4; k++) ids.push((await addIdentity(org.id, source.id, { ownerId: k === 0 ? people.member.id : null })).id)
    const r = await assignOwner(ctx('admin'), { identityIds: ids, fields: { ownerId: people.member.id } })
    expect(r).toEqual({ selected: 4, changed: 3 })
    expect(await db.identity.count({ where: { orgId: org.id, ownerId: people.member.id } })).toBe(4)
    expect((await audits(org.id, 'identity.assign-owner')).length).toBe(3)
    const [summary] = await audits(org.id, 'identity.bulk-assign-owner')
    expect(JSON.parse(summary.details)).toMatchObject({ selected: 4, changed: 3, by: 'selection' })
  })

  it('bulk-assigns by filter as a resumable job, in batches, with per-identity audit rows', async () => {
    const { org, people, ctx, source } = await createOrg()
    const rows = Array.from({ length: 2_300 }, (_, k) => ({
      id: `bulk${org.id.slice(-6)}${String(k).padStart(5, '0')}`,
      orgId: org.id,
      sourceId: source.id,
      externalId: `x${k}`,
      name: k < 2_200 ? `deploy-bot-${k}` : `other-${k}`,
      searchText: k < 2_200 ? `deploy-bot-${k}` : `other-${k}`,
      kind: 'bot',
      createdAt: new Date(),
    }))
    await db.identity.createMany({ data: rows })
    const filter = { q: 'deploy-bot' }
    expect(await previewAssignByFilter(ctx('admin'), filter, { ownerId: people.member.id })).toEqual({ matching: 2_200, changing: 2_200 })
    await expect(startBulkAssignByFilter(ctx('member'), { filter, fields: { ownerId: people.member.id }, requestId: rid() })).rejects.toThrow(/permission/)
    const requestId = rid()
    const started = await startBulkAssignByFilter(ctx('governance'), { filter, fields: { ownerId: people.member.id }, requestId })
    expect(started.matching).toBe(2_200)
    // the same request twice starts one job
    expect((await startBulkAssignByFilter(ctx('governance'), { filter, fields: { ownerId: people.member.id }, requestId })).jobId).toBe(started.jobId)
    // Simulate a worker that crashed after committing a batch: the resume point says the first 1,000 are done.
    const job = await db.job.findUniqueOrThrow({ where: { id: started.jobId } })
    const payload = JSON.parse(job.payload)
    await db.job.update({ where: { id: job.id }, data: { payload: JSON.stringify({ ...payload, cursor: rows[999].id, scanned: 1_000, changed: 1_000 }) } })
    await drainJobs()
    const status = await getBulkJob(ctx('admin'), started.jobId)
    expect(status).toMatchObject({ status: 'succeeded', progress: 2_200, result: { scanned: 2_200, changed: 2_200 } })
    // rows before the resume point were not touched again; all after it were
    expect(await db.identity.count({ where: { orgId: org.id, ownerId: people.member.id } })).toBe(1_200)
    expect(await db.identity.count({ where: { orgId: org.id, ownerId: null, name: { startsWith: 'other' } } })).toBe(100)
    expect((await audits(org.id, 'identity.assign-owner')).length).toBe(1_200)
    const [summary] = await audits(org.id, 'identity.bulk-assign-owner')
    expect(JSON.parse(summary.details)).toMatchObject({ by: 'filter', scanned: 2_200, changed: 2_200 })
    expect(await audits(org.id, 'identity.bulk-assign-owner.request')).toHaveLength(1)
    expect((await verifyAuditChain(ctx('admin'))).ok).toBe(true)
    await expect(getBulkJob(ctx('admin'), (await createOrg()).org.id)).rejects.toMatchObject({ status: 404 })
  })

  it('suggests owners from tags, creator, rotation and team names; accepts one and all high-confidence by filter', async () => {
    const { org, people, ctx, source } = await createOrg()
    const lead = await addPerson(org.id)
    const team = await db.team.create({ data: { orgId: org.id, slug: 'payments', name: 'Payments', leadId: lead.id } })
    const a = await addIdentity(org.id, source.id, { name: 'payments-ledger-sync' })
    await db.identity.update({ where: { id: a.id }, data: { metadata: JSON.stringify({ creator: people.member.email.toUpperCase() }) } })
    await db.identityTag.create({ data: { orgId: org.id, identityId: a.id, key: 'owner', value: people.governance.email } })
    const list = await listSuggestionsForIdentity(ctx('admin'), a.id)
    expect(list.map((s) => [s.source, s.band])).toEqual([
      ['owner-tag', 'high'],
      ['creator', 'high'],
      ['name-prefix', 'low'],
    ])
    expect(list[2]).toMatchObject({ ownerId: lead.id, teamId: team.id })
    await expect(acceptSuggestion(ctx('member'), { identityId: a.id, ownerId: people.member.id, teamId: null })).rejects.toThrow(/permission/)
    await expect(acceptSuggestion(ctx('admin'), { identityId: a.id, ownerId: people.auditor.id, teamId: null })).rejects.toThrow(/no longer applies/)
    await acceptSuggestion(ctx('admin'), { identityId: a.id, ownerId: people.member.id, teamId: null })
    expect(await db.identity.findUniqueOrThrow({ where: { id: a.id } })).toMatchObject({ ownerId: people.member.id, ownerOrigin: 'suggestion' })
    const [row] = await audits(org.id, 'identity.assign-owner', a.id)
    expect(JSON.parse(row.details)).toMatchObject({ suggestion: 'creator', origin: 'suggestion' })

    // in bulk: only unowned identities with a high-confidence suggestion change
    const b = await addIdentity(org.id, source.id, { name: 'batch-b' })
    await db.identity.update({ where: { id: b.id }, data: { metadata: JSON.stringify({ tags: { owner: people.admin.email } }) } })
    const c = await addIdentity(org.id, source.id, { name: 'batch-c' })
    await db.credential.create({
      data: {
        orgId: org.id,
        identityId: c.id,
        kind: 'token',
        fingerprint: 'f',
        createdAt: new Date(),
        rotatedById: people.member.id,
        lastRotatedAt: new Date(),
      },
    })
    const d = await addIdentity(org.id, source.id, { name: 'batch-d' })
    await db.identity.update({ where: { id: d.id }, data: { metadata: JSON.stringify({ creator: 'stranger@elsewhere.example' }) } })
    const started = await startAcceptSuggestionsByFilter(ctx('governance'), { filter: { q: 'batch-' }, requestId: rid() })
    expect(started.matching).toBe(3)
    await drainJobs()
    expect((await getBulkJob(ctx('admin'), started.jobId)).result).toMatchObject({ scanned: 3, changed: 1 })
    expect(await db.identity.findUniqueOrThrow({ where: { id: b.id } })).toMatchObject({ ownerId: people.admin.id, ownerOrigin: 'suggestion' })
    expect((await db.identity.findUniqueOrThrow({ where: { id: c.id } })).ownerId).toBeNull() // medium confidence only
    expect((await db.identity.findUniqueOrThrow({ where: { id: d.id } })).ownerId).toBeNull()
    expect(await audits(org.id, 'identity.accept-suggestions')).toHaveLength(1)
    await expect(listSuggestionsForIdentity(ctx('admin'), (await addIdentity((await createOrg()).org.id, source.id)).id)).rejects.toMatchObject({ status: 404 })
  })

  it('hands a leaver’s identities to the backup owner, else the team lead, else flags them (NHI1)', async () => {
    const { org, people, ctx, source } = await createOrg()
    const leaver = await addPerson(org.id)
    const lead = await addPerson(org.id)
    const team = await db.team.create({ data: { orgId: org.id, slug: 'core', name: 'Core', leadId: lead.id } })
    const toBackup = await addIdentity(org.id, source.id, { ownerId: leaver.id })
    await db.identity.update({ where: { id: toBackup.id }, data: { backupOwnerId: people.member.id } })
    const toLead = await addIdentity(org.id, source.id, { ownerId: leaver.id })
    await db.identity.update({ where: { id: toLead.id }, data: { teamId: team.id } })
    const orphan = await addIdentity(org.id, source.id, { ownerId: leaver.id })
    const backedUp = await addIdentity(org.id, source.id, { ownerId: people.member.id })
    await db.identity.update({ where: { id: backedUp.id }, data: { backupOwnerId: leaver.id } })

    await expect(removeMember(ctx('governance'), leaver.id)).rejects.toThrow(/permission/)
    await expect(removeMember(ctx('admin'), (await createOrg()).people.member.id)).rejects.toMatchObject({ status: 404 })
    await expect(removeMember(ctx('admin'), people.admin.id)).rejects.toThrow(/yourself/)
    const r = await removeMember(ctx('admin'), leaver.id)
    expect(r.owned).toBe(3)
    await drainJobs()
    expect(await db.identity.findUniqueOrThrow({ where: { id: toBackup.id } })).toMatchObject({
      ownerId: people.member.id,
      backupOwnerId: null,
      ownerOrigin: 'fallback',
    })
    expect(await db.identity.findUniqueOrThrow({ where: { id: toLead.id } })).toMatchObject({ ownerId: lead.id, ownerOrigin: 'fallback' })
    expect(await db.identity.findUniqueOrThrow({ where: { id: orphan.id } })).toMatchObject({ ownerId: null, ownerOrigin: null })
    expect(await db.identity.findUniqueOrThrow({ where: { id: backedUp.id } })).toMatchObject({ ownerId: people.member.id, backupOwnerId: null })
    expect(await db.finding.findFirstOrThrow({ where: { identityId: orphan.id } })).toMatchObject({
      rule: 'owner-left',
      owaspCode: 'NHI1',
      severity: 'high',
      status: 'open',
    })
    expect(await db.finding.count({ where: { identityId: { in: [toBackup.id, toLead.id] } } })).toBe(0)
    expect(await db.membership.findFirstOrThrow({ where: { orgId: org.id, userId: leaver.id } })).toMatchObject({ status: 'removed' })
    const [removed] = await audits(org.id, 'member.remove')
    expect(removed).toMatchObject({ actorId: people.admin.id, targetId: leaver.id })
    const [offboard] = await audits(org.id, 'member.offboard')
    expect(JSON.parse(offboard.details)).toMatchObject({ toBackup: 1, toLead: 1, orphaned: 1, backupsCleared: 1 })
    expect(await audits(org.id, 'identity.owner-fallback')).toHaveLength(3)
    // the people affected are told
    expect(await db.notification.count({ where: { orgId: org.id, userId: people.member.id, kind: 'ownership.fallback' } })).toBe(1)
    expect(await db.notification.count({ where: { orgId: org.id, userId: lead.id, kind: 'ownership.fallback' } })).toBe(1)
    expect(await db.notification.count({ where: { orgId: org.id, userId: people.admin.id, kind: 'ownership.orphaned' } })).toBe(1)
    // a removed member can no longer be assigned
    await expect(assignOwner(ctx('admin'), { identityIds: [orphan.id], fields: { ownerId: leaver.id } })).rejects.toThrow(/no longer a member/)
    await expect(removeMember(ctx('admin'), leaver.id)).rejects.toThrow(/already removed/)
  })

  it('deactivates a person and hands over their identities', async () => {
    const { org, people, ctx, source } = await createOrg()
    const leaver = await addPerson(org.id)
    const i = await addIdentity(org.id, source.id, { ownerId: leaver.id })
    await db.identity.update({ where: { id: i.id }, data: { backupOwnerId: people.governance.id } })
    await expect(deactivateMember(ctx('member'), leaver.id)).rejects.toThrow(/permission/)
    const other = await createOrg()
    const shared = await addPerson(org.id)
    await db.membership.create({ data: { orgId: other.org.id, userId: shared.id, role: 'member' } })
    await expect(deactivateMember(ctx('admin'), shared.id)).rejects.toThrow(/another organization/)
    await deactivateMember(ctx('admin'), leaver.id)
    expect((await db.user.findUniqueOrThrow({ where: { id: leaver.id } })).active).toBe(false)
    await drainJobs()
    expect(await db.identity.findUniqueOrThrow({ where: { id: i.id } })).toMatchObject({ ownerId: people.governance.id, ownerOrigin: 'fallback' })
    expect(await audits(org.id, 'member.deactivate')).toHaveLength(1)
    await expect(deactivateMember(ctx('admin'), other.people.admin.id)).rejects.toMatchObject({ status: 404 })
  })

  it('transfers: the owner proposes, nothing changes until the recipient accepts; declines leave it', async () => {
    const { org, people, ctx, source } = await createOrg()
    const other = await createOrg()
    const i = await addIdentity(org.id, source.id, { ownerId: people.member.id })
    await expect(requestTransfer(ctx('auditor'), { identityId: i.id, toUserId: people.governance.id })).rejects.toThrow(/permission/)
    await expect(requestTransfer(ctx('governance'), { identityId: i.id, toUserId: people.admin.id })).rejects.toThrow(/Only the owner/)
    await expect(requestTransfer(ctx('member'), { identityId: i.id, toUserId: other.people.member.id })).rejects.toThrow(/member of this organization/)
    const foreign = await addIdentity(other.org.id, other.source.id, { ownerId: other.people.member.id })
    await expect(requestTransfer(ctx('member'), { identityId: foreign.id, toUserId: people.governance.id })).rejects.toMatchObject({ status: 404 })

    const { transferId } = await requestTransfer(ctx('member'), { identityId: i.id, toUserId: people.governance.id, note: 'moving teams' })
    expect((await db.identity.findUniqueOrThrow({ where: { id: i.id } })).ownerId).toBe(people.member.id)
    await expect(requestTransfer(ctx('member'), { identityId: i.id, toUserId: people.admin.id })).rejects.toThrow(/already waiting/)
    expect(await db.notification.count({ where: { userId: people.governance.id, kind: 'transfer.requested' } })).toBe(1)
    const mine = await getMyOverview(ctx('governance'), 1)
    expect(mine.incoming.map((t) => t.id)).toEqual([transferId])
    // only the recipient can answer
    await expect(decideTransfer(ctx('admin'), { transferId, accept: true })).rejects.toMatchObject({ status: 404 })
    await expect(decideTransfer(other.ctx('admin'), { transferId, accept: true })).rejects.toMatchObject({ status: 404 })
    await decideTransfer(ctx('governance'), { transferId, accept: true })
    expect(await db.identity.findUniqueOrThrow({ where: { id: i.id } })).toMatchObject({ ownerId: people.governance.id, ownerOrigin: 'manual' })
    expect(await db.ownershipTransfer.findUniqueOrThrow({ where: { id: transferId } })).toMatchObject({ status: 'accepted' })
    expect(await audits(org.id, 'identity.transfer-request', i.id)).toHaveLength(1)
    expect(await audits(org.id, 'identity.transfer-accept', i.id)).toHaveLength(1)
    expect(await db.notification.count({ where: { userId: people.member.id, kind: 'transfer.accepted' } })).toBe(1)
    await expect(decideTransfer(ctx('governance'), { transferId, accept: false })).rejects.toThrow(/already accepted/)

    const second = await requestTransfer(ctx('governance'), { identityId: i.id, toUserId: people.member.id })
    await decideTransfer(ctx('member'), { transferId: second.transferId, accept: false })
    expect((await db.identity.findUniqueOrThrow({ where: { id: i.id } })).ownerId).toBe(people.governance.id)
    expect(await audits(org.id, 'identity.transfer-decline', i.id)).toHaveLength(1)
  })

  it('lets the owner attest: an Attestation row and the next due date from the org setting', async () => {
    const { org, people, ctx, source } = await createOrg()
    await db.organization.update({ where: { id: org.id }, data: { settings: JSON.stringify({ attestationIntervalDays: 30 }) } })
    const i = await addIdentity(org.id, source.id, { ownerId: people.member.id })
    await expect(attestIdentity(ctx('auditor'), { identityId: i.id })).rejects.toThrow(/permission/)
    await expect(attestIdentity(ctx('admin'), { identityId: i.id })).rejects.toThrow(/Only the owner or backup owner/)
    const other = await createOrg()
    await expect(attestIdentity(other.ctx('member'), { identityId: i.id })).rejects.toMatchObject({ status: 404 })
    const before = Date.now()
    const r = await attestIdentity(ctx('member'), { identityId: i.id, note: 'still used by billing' })
    const after = await db.identity.findUniqueOrThrow({ where: { id: i.id } })
    expect(after.lastAttestedAt!.getTime()).toBeGreaterThanOrEqual(before - 1000)
    expect(after.attestationDue!.getTime() - after.lastAttestedAt!.getTime()).toBe(30 * 86_400_000)
    expect(await db.attestation.findUniqueOrThrow({ where: { id: r.attestationId } })).toMatchObject({
      userId: people.member.id,
      note: 'still used by billing',
      identityId: i.id,
    })
    const [row] = await audits(org.id, 'identity.attest', i.id)
    expect(row).toMatchObject({ actorId: people.member.id, justification: 'still used by billing' })
    const mine = await getMyOverview(ctx('member'), 1)
    expect(mine).toMatchObject({ total: 1, owned: 1, attestationDue: 0, reviewTotal: 0 })
  })
})
