import { afterAll, describe, expect, it } from 'vitest'
import { db } from '@/lib/db'
import { ConflictError, ForbiddenError, NotFoundError, ValidationError } from '@/lib/errors'
import { drainJobs } from '@/lib/jobs/worker'
import { requestRemediation } from '@/lib/remediation/mutations'
import { createOwnerRequest, decideOwnerRequest, updateOwnerActionsSetting } from '@/lib/requests/mutations'
import { listMyRequests, listRequestQueue, pendingRequestsForIdentity } from '@/lib/requests/queries'
import { addIdentity, createOrg, engine, uid } from './fixtures'

type Org = Awaited<ReturnType<typeof createOrg>>

/** An identity owned by the org's member on a simulated source: a privileged and a plain grant, and one credential. */
async function owned(org: Org, opts: { backup?: boolean } = {}) {
  const orgId = org.org.id
  const src = await db.source.create({ data: { orgId, name: uid('sim-'), type: 'aws', config: JSON.stringify({ simulated: true }) } })
  const identity = await addIdentity(orgId, src.id, opts.backup ? { ownerId: org.people.admin.id } : { ownerId: org.people.member.id })
  if (opts.backup) await db.identity.update({ where: { id: identity.id }, data: { backupOwnerId: org.people.member.id } })
  const resource = await db.resource.create({ data: { orgId, sourceId: src.id, externalId: uid('res-'), name: 'orders-db', type: 'database' } })
  const grant = async (name: string, privileged: boolean) => {
    const e = await db.entitlement.create({ data: { orgId, sourceId: src.id, resourceId: resource.id, externalId: uid('ent-'), name, privileged } })
    return db.grant.create({ data: { orgId, identityId: identity.id, entitlementId: e.id, privileged, createdAt: new Date() } })
  }
  const admin = await grant('admin', true)
  const read = await grant('read', false)
  const credential = await db.credential.create({
    data: { orgId, identityId: identity.id, kind: 'token', label: 'ci token', externalId: uid('c-'), fingerprint: uid('fp-'), createdAt: new Date() },
  })
  await db.identity.update({ where: { id: identity.id }, data: { privileged: true, grantCount: 2, credentialCount: 1 } })
  return { identity, admin, read, credential }
}

const audits = (orgId: string, action: string) => db.auditEvent.findMany({ where: { orgId, action }, orderBy: { seq: 'asc' } })

// Leave nothing queued for the next file's worker tests.
afterAll(async () => {
  await drainJobs()
})

describe(`owner requests (${engine})`, () => {
  it('an owner asks, governance is notified and approves in one step, and the remediation applies through the normal path', async () => {
    const org = await createOrg()
    const { identity, read } = await owned(org)
    const r = await createOwnerRequest(org.ctx('member'), {
      identityId: identity.id,
      kind: 'revoke_grant',
      grantId: read.id,
      justification: 'the read replica moved',
    })
    expect(r.status).toBe('pending')
    const req = await db.ownerRequest.findUniqueOrThrow({ where: { id: r.ownerRequestId } })
    expect(req).toMatchObject({ status: 'pending', requestedById: org.people.member.id, direct: false, privileged: false, openKey: `grant:${read.id}` })
    const [created] = await audits(org.org.id, 'owner-request.create')
    expect(created).toMatchObject({ actorId: org.people.member.id, targetId: identity.id, justification: 'the read replica moved' })
    // Governance and admins hear about it, with a link to the queue; nothing changed at the source yet.
    const notes = await db.notification.findMany({ where: { orgId: org.org.id, kind: 'owner-request.created' } })
    expect(notes.map((n) => n.userId).sort()).toEqual([org.people.admin.id, org.people.governance.id].sort())
    expect(notes[0].link).toBe(`/${org.org.slug}/requests`)
    expect(await db.remediation.count({ where: { identityId: identity.id } })).toBe(0)
    expect(await pendingRequestsForIdentity(org.ctx('member'), identity.id)).toHaveProperty(read.id)
    expect((await listRequestQueue(org.ctx('governance'))).pending.map((p) => p.id)).toEqual([r.ownerRequestId])
    // Asking twice for the same thing is refused.
    await expect(
      createOwnerRequest(org.ctx('member'), { identityId: identity.id, kind: 'revoke_grant', grantId: read.id, justification: 'again please' }),
    ).rejects.toBeInstanceOf(ConflictError)

    const d = await decideOwnerRequest(org.ctx('governance'), { ownerRequestId: r.ownerRequestId, approve: true })
    expect(d).toMatchObject({ status: 'approved' })
    const rem = await db.remediation.findUniqueOrThrow({ where: { id: d.remediationId! } })
    expect(rem).toMatchObject({
      kind: 'revoke_grant',
      grantId: read.id,
      status: 'pending',
      requestedById: org.people.governance.id,
      justification: 'the read replica moved',
      simulated: true,
    })
    const [remAudit] = await audits(org.org.id, 'remediation.request')
    expect(JSON.parse(remAudit.details)).toMatchObject({ ownerRequestId: r.ownerRequestId, grantId: read.id })
    expect(await audits(org.org.id, 'owner-request.approve')).toHaveLength(1)
    expect(await db.notification.count({ where: { orgId: org.org.id, userId: org.people.member.id, kind: 'owner-request.approved' } })).toBe(1)
    expect(await db.ownerRequest.findUniqueOrThrow({ where: { id: r.ownerRequestId } })).toMatchObject({
      status: 'approved',
      openKey: null,
      decidedById: org.people.governance.id,
      remediationId: rem.id,
    })

    await drainJobs()
    expect(await db.grant.findUniqueOrThrow({ where: { id: read.id } })).toMatchObject({ status: 'revoked' })
    expect(await db.remediation.findUniqueOrThrow({ where: { id: rem.id } })).toMatchObject({ status: 'applied' })
    const mine = await listMyRequests(org.ctx('member'))
    expect(mine[0]).toMatchObject({ id: r.ownerRequestId, status: 'approved', target: 'read on orders-db', remediation: { status: 'applied' } })
    await expect(decideOwnerRequest(org.ctx('admin'), { ownerRequestId: r.ownerRequestId, approve: false, reason: 'too late now' })).rejects.toThrow(
      /already approved/,
    )
  })

  it('rejects with a reason the owner is told; the request can then be asked again', async () => {
    const org = await createOrg()
    const { identity, credential } = await owned(org, { backup: true })
    // The backup owner may ask too.
    const r = await createOwnerRequest(org.ctx('member'), {
      identityId: identity.id,
      kind: 'rotate_credential',
      credentialId: credential.id,
      justification: 'token pasted in a ticket',
    })
    await expect(decideOwnerRequest(org.ctx('governance'), { ownerRequestId: r.ownerRequestId, approve: false })).rejects.toBeInstanceOf(ValidationError)
    await decideOwnerRequest(org.ctx('governance'), { ownerRequestId: r.ownerRequestId, approve: false, reason: 'rotation is scheduled for Friday' })
    expect(await db.ownerRequest.findUniqueOrThrow({ where: { id: r.ownerRequestId } })).toMatchObject({
      status: 'rejected',
      decisionReason: 'rotation is scheduled for Friday',
      remediationId: null,
    })
    expect(await db.remediation.count({ where: { identityId: identity.id } })).toBe(0)
    const [note] = await db.notification.findMany({ where: { orgId: org.org.id, userId: org.people.member.id, kind: 'owner-request.rejected' } })
    expect(note.body).toContain('rotation is scheduled for Friday')
    const [audit] = await audits(org.org.id, 'owner-request.reject')
    expect(audit).toMatchObject({ actorId: org.people.governance.id, justification: 'rotation is scheduled for Friday' })
    const again = await createOwnerRequest(org.ctx('member'), {
      identityId: identity.id,
      kind: 'rotate_credential',
      credentialId: credential.id,
      justification: 'still pasted in a ticket',
    })
    expect(again.status).toBe('pending')
  })

  it('refuses people who do not own the identity, auditors, other organizations, and deciding without the permission or on one’s own request', async () => {
    const org = await createOrg()
    const other = await createOrg()
    const { identity, read, admin } = await owned(org)
    const ask = { identityId: identity.id, kind: 'revoke_grant' as const, grantId: read.id, justification: 'not needed any more' }
    await expect(createOwnerRequest(org.ctx('governance'), ask)).rejects.toBeInstanceOf(ForbiddenError)
    await expect(createOwnerRequest(org.ctx('auditor'), ask)).rejects.toBeInstanceOf(ForbiddenError)
    await expect(createOwnerRequest(other.ctx('member'), ask)).rejects.toBeInstanceOf(NotFoundError)
    // A grant of another identity named with this one is not found.
    const elsewhere = await owned(other)
    await expect(createOwnerRequest(org.ctx('member'), { ...ask, grantId: elsewhere.read.id })).rejects.toBeInstanceOf(NotFoundError)
    expect(await db.ownerRequest.count({ where: { orgId: org.org.id } })).toBe(0)

    const r = await createOwnerRequest(org.ctx('member'), { ...ask, grantId: admin.id })
    expect(r.status).toBe('pending')
    await expect(decideOwnerRequest(org.ctx('member'), { ownerRequestId: r.ownerRequestId, approve: true })).rejects.toBeInstanceOf(ForbiddenError)
    await expect(decideOwnerRequest(org.ctx('auditor'), { ownerRequestId: r.ownerRequestId, approve: true })).rejects.toBeInstanceOf(ForbiddenError)
    await expect(decideOwnerRequest(other.ctx('admin'), { ownerRequestId: r.ownerRequestId, approve: true })).rejects.toBeInstanceOf(NotFoundError)
    expect((await listRequestQueue(other.ctx('governance'))).pending).toHaveLength(0)
    await expect(listRequestQueue(org.ctx('member'))).rejects.toBeInstanceOf(ForbiddenError)
    expect(await listMyRequests(org.ctx('governance'))).toHaveLength(0)
    // An admin who owns an identity asks like anyone else, but does not approve their own request.
    const mine = await owned(org, { backup: false })
    await db.identity.update({ where: { id: mine.identity.id }, data: { ownerId: org.people.admin.id } })
    const own = await createOwnerRequest(org.ctx('admin'), {
      identityId: mine.identity.id,
      kind: 'revoke_grant',
      grantId: mine.read.id,
      justification: 'my own clean-up',
    })
    await expect(decideOwnerRequest(org.ctx('admin'), { ownerRequestId: own.ownerRequestId, approve: true })).rejects.toBeInstanceOf(ForbiddenError)
    expect(await db.ownerRequest.findUniqueOrThrow({ where: { id: r.ownerRequestId } })).toMatchObject({ status: 'pending' })
    expect(await db.remediation.count({ where: { orgId: org.org.id } })).toBe(0)
  })

  it('with the setting on, owners act at once on non-privileged items; privileged ones still wait for governance', async () => {
    const org = await createOrg()
    const { identity, read, admin, credential } = await owned(org)
    await expect(updateOwnerActionsSetting(org.ctx('governance'), { ownersActDirectly: true })).rejects.toBeInstanceOf(ForbiddenError)
    await updateOwnerActionsSetting(org.ctx('admin'), { ownersActDirectly: true })
    const [setting] = await audits(org.org.id, 'settings.update')
    expect(JSON.parse(setting.details)).toEqual({ before: { ownersActDirectly: false }, after: { ownersActDirectly: true } })

    const direct = await createOwnerRequest(org.ctx('member'), {
      identityId: identity.id,
      kind: 'revoke_grant',
      grantId: read.id,
      justification: 'replica decommissioned',
    })
    expect(direct.status).toBe('applying')
    expect(await db.ownerRequest.findUniqueOrThrow({ where: { id: direct.ownerRequestId } })).toMatchObject({
      status: 'approved',
      direct: true,
      openKey: null,
      remediationId: direct.remediationId,
    })
    const [ownerAudit] = await audits(org.org.id, 'owner-request.direct')
    expect(ownerAudit).toMatchObject({ actorId: org.people.member.id, justification: 'replica decommissioned' })
    const [remAudit] = await audits(org.org.id, 'remediation.request')
    expect(remAudit).toMatchObject({ actorId: org.people.member.id })
    expect(JSON.parse(remAudit.details)).toMatchObject({ ownerRequestId: direct.ownerRequestId })
    await drainJobs()
    expect(await db.grant.findUniqueOrThrow({ where: { id: read.id } })).toMatchObject({ status: 'revoked' })

    // A privileged grant, and a credential of an identity that still holds privileged access, wait for governance.
    const priv = await createOwnerRequest(org.ctx('member'), {
      identityId: identity.id,
      kind: 'revoke_grant',
      grantId: admin.id,
      justification: 'admin no longer needed',
    })
    expect(priv.status).toBe('pending')
    const cred = await createOwnerRequest(org.ctx('member'), {
      identityId: identity.id,
      kind: 'revoke_credential',
      credentialId: credential.id,
      justification: 'token leaked in CI logs',
    })
    expect(cred.status).toBe('pending')
    expect(await db.remediation.count({ where: { identityId: identity.id } })).toBe(1)
    // Turned off again: the next plain item waits too.
    await updateOwnerActionsSetting(org.ctx('admin'), { ownersActDirectly: false })
    const plain = await owned(org)
    expect(
      (
        await createOwnerRequest(org.ctx('member'), {
          identityId: plain.identity.id,
          kind: 'revoke_grant',
          grantId: plain.read.id,
          justification: 'no longer used',
        })
      ).status,
    ).toBe('pending')
  })

  it('an owner request is the authority for requestRemediation only once it is approved, and only once', async () => {
    const org = await createOrg()
    const { identity, read } = await owned(org)
    const r = await createOwnerRequest(org.ctx('member'), { identityId: identity.id, kind: 'revoke_grant', grantId: read.id, justification: 'not needed now' })
    const target = {
      kind: 'revoke_grant' as const,
      identityId: identity.id,
      grantId: read.id,
      justification: 'not needed now',
      ownerRequestId: r.ownerRequestId,
    }
    await expect(requestRemediation(org.ctx('member'), target)).rejects.toBeInstanceOf(ConflictError)
    await expect(
      requestRemediation(org.ctx('member'), { ...target, kind: 'revoke_credential', grantId: undefined, credentialId: read.id }),
    ).rejects.toBeInstanceOf(NotFoundError)
    const d = await decideOwnerRequest(org.ctx('governance'), { ownerRequestId: r.ownerRequestId, approve: true })
    expect(d.remediationId).toBeTruthy()
    await expect(requestRemediation(org.ctx('member'), target)).rejects.toBeInstanceOf(ConflictError)
    expect(await db.remediation.count({ where: { identityId: identity.id } })).toBe(1)
  })
})
