import type { AddressInfo } from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { SMTPServer } from 'smtp-server'

// A real SMTP server on loopback; SMTP_URL is set before the app's env is first read, so the app's modules are
// imported after the server listens.
type Mail = { to: string[]; data: string }
const received: Mail[] = []
const server = new SMTPServer({
  authOptional: true,
  disabledCommands: ['STARTTLS'],
  logger: false,
  onData(stream, session, callback) {
    let data = ''
    stream.on('data', (c: Buffer) => (data += c.toString('utf8')))
    stream.on('end', () => {
      received.push({ to: session.envelope.rcptTo.map((r) => r.address), data })
      callback()
    })
  },
})

/** Unfolds headers and decodes quoted-printable, enough to read a plain-text message. */
function readable(raw: string) {
  const unfolded = raw.replace(/\r?\n[ \t]+/g, ' ').replace(/=\r?\n/g, '')
  return Buffer.from(
    unfolded.replace(/=([0-9A-F]{2})/g, (_, h) => String.fromCharCode(parseInt(h, 16))),
    'latin1',
  ).toString('utf8')
}

let m: {
  db: typeof import('@/lib/db').db
  drainJobs: typeof import('@/lib/jobs/worker').drainJobs
  fx: typeof import('./fixtures')
  inv: typeof import('@/lib/members/invitations')
  mem: typeof import('@/lib/members/mutations')
  q: typeof import('@/lib/members/queries')
  seal: typeof import('@/lib/crypto/seal')
  inventory: typeof import('@/lib/inventory/queries')
  own: typeof import('@/lib/ownership/queries')
  errors: typeof import('@/lib/errors')
}

beforeAll(async () => {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  process.env.SMTP_URL = `smtp://127.0.0.1:${(server.server.address() as AddressInfo).port}?ignoreTLS=true`
  m = {
    db: (await import('@/lib/db')).db,
    drainJobs: (await import('@/lib/jobs/worker')).drainJobs,
    fx: await import('./fixtures'),
    inv: await import('@/lib/members/invitations'),
    mem: await import('@/lib/members/mutations'),
    q: await import('@/lib/members/queries'),
    seal: await import('@/lib/crypto/seal'),
    inventory: await import('@/lib/inventory/queries'),
    own: await import('@/lib/ownership/queries'),
    errors: await import('@/lib/errors'),
  }
})
afterAll(async () => {
  // Leave nothing queued for the next file's worker tests (role changes and acceptances e-mail people).
  await m.drainJobs()
  await new Promise<void>((resolve) => server.close(() => resolve()))
})

const tokenOf = (path: string) => path.split('/').pop()!

/** Every stored text that could carry a token: invitations, jobs (payload and result), audit rows and notifications. */
async function storedText(orgId: string) {
  const { db } = m
  const rows = await Promise.all([
    db.invitation.findMany({ where: { orgId } }),
    db.job.findMany({ where: { orgId } }),
    db.auditEvent.findMany({ where: { orgId } }),
    db.notification.findMany({ where: { orgId } }),
  ])
  return JSON.stringify(rows)
}

async function person(email: string, name = 'Jane Doe', active = true) {
  const u = await m.db.user.create({ data: { email, name, active } })
  return { id: u.id, email: u.email, name: u.name }
}

describe(`invitations (${process.env.TEST_ENGINE ?? 'sqlite'})`, () => {
  it('invites by e-mail, mails the link from a job, and the invitee with that address joins with the role', async () => {
    const { db, drainJobs, fx, inv, seal } = m
    const { org, people, ctx } = await fx.createOrg('Invite Org')
    const email = `jane.${org.slug}@test.example`
    const r = await inv.inviteMember(ctx('admin'), { email: email.toUpperCase(), role: 'governance' })
    expect(r.path).toMatch(/^\/invite\/[A-Za-z0-9_-]{43}$/)
    expect(r.emailed).toBe(true)
    const token = tokenOf(r.path)
    const row = await db.invitation.findUniqueOrThrow({ where: { id: r.invitationId } })
    expect(row).toMatchObject({ email, role: 'governance', status: 'pending', tokenHash: seal.sha256(token), invitedById: people.admin.id })
    expect(row.expiresAt.getTime() - Date.now()).toBeGreaterThan(6.9 * 86_400_000)
    const [created] = await db.auditEvent.findMany({ where: { orgId: org.id, action: 'invitation.create' } })
    expect(created).toMatchObject({ actorId: people.admin.id, targetId: r.invitationId, targetLabel: email })
    expect(JSON.parse(created.details)).toMatchObject({ email, role: 'governance' })
    // Queued, not sent inline; the job holds the token only sealed.
    const job = await db.job.findFirstOrThrow({ where: { orgId: org.id, type: 'send_invitation' } })
    expect(JSON.parse(job.payload).sealed).toBeTruthy()
    expect(await storedText(org.id)).not.toContain(token)

    await drainJobs()
    const mail = received.find((x) => x.to.includes(email))
    expect(mail).toBeDefined()
    const text = readable(mail!.data)
    expect(text).toMatch(/Subject: \[Custodian\] You are invited to Invite Org/)
    expect(text).toContain(`http://localhost:3000/invite/${token}`)
    expect(text).toContain('as Governance')
    expect((await db.invitation.findUniqueOrThrow({ where: { id: r.invitationId } })).emailedAt).not.toBeNull()
    // Once the mail server accepted it, the sealed token is gone from the job.
    expect(JSON.parse((await db.job.findUniqueOrThrow({ where: { id: job.id } })).payload)).toEqual({ invitationId: r.invitationId })

    // The invitee signs in (their user row may spell the address differently) and accepts.
    const jane = await person(`Jane.${org.slug}@Test.Example`)
    const view = await inv.unsafeReadInvitation(token, jane)
    expect(view).toMatchObject({ state: 'pending', emailMatches: true, role: 'Governance', org: { slug: org.slug } })
    expect(await inv.acceptInvitation(jane, token)).toEqual({ orgSlug: org.slug, role: 'governance' })
    expect(await db.membership.findFirst({ where: { orgId: org.id, userId: jane.id } })).toMatchObject({ role: 'governance', status: 'active' })
    expect(await db.invitation.findUniqueOrThrow({ where: { id: r.invitationId } })).toMatchObject({ status: 'accepted', acceptedById: jane.id })
    const [accepted] = await db.auditEvent.findMany({ where: { orgId: org.id, action: 'invitation.accept' } })
    expect(accepted).toMatchObject({ actorId: jane.id, outcome: 'success', targetId: jane.id })
    expect(JSON.parse(accepted.details)).toMatchObject({ invitationId: r.invitationId, role: 'governance' })
    expect(await db.notification.count({ where: { orgId: org.id, userId: people.admin.id, kind: 'invitation.accepted' } })).toBe(1)

    // The link works once.
    await expect(inv.acceptInvitation(jane, token)).rejects.toThrow(/already used/)
    expect(await db.auditEvent.count({ where: { orgId: org.id, action: 'invitation.accept', outcome: 'denied' } })).toBe(1)
    expect(await storedText(org.id)).not.toContain(token)
  })

  it('refuses another address, an expired link, a revoked link and a made-up token, and audits each refusal in the organization', async () => {
    const { db, fx, inv, errors } = m
    const { org, people, ctx } = await fx.createOrg()
    const email = `sam.${org.slug}@test.example`
    const sam = await person(email, 'Sam')
    const r = await inv.inviteMember(ctx('admin'), { email, role: 'member' })
    const token = tokenOf(r.path)

    // Someone else who got hold of the link, even a member of the organization.
    await expect(inv.acceptInvitation(people.member, token)).rejects.toBeInstanceOf(errors.ForbiddenError)
    const intruder = await person(`mallory.${org.slug}@test.example`, 'Mallory')
    await expect(inv.acceptInvitation(intruder, token)).rejects.toThrow(/signed in as/)
    expect((await inv.unsafeReadInvitation(token, intruder))?.email).not.toContain('sam.')
    expect(await db.membership.count({ where: { orgId: org.id, userId: intruder.id } })).toBe(0)
    const denied = await db.auditEvent.findMany({ where: { orgId: org.id, action: 'invitation.accept', outcome: 'denied' } })
    expect(denied.map((d) => d.actorId).sort()).toEqual([intruder.id, people.member.id].sort())
    expect(JSON.parse(denied[0].details)).toMatchObject({ reason: 'e-mail mismatch' })

    // Expired.
    await db.invitation.update({ where: { id: r.invitationId }, data: { expiresAt: new Date(Date.now() - 1000) } })
    expect((await inv.unsafeReadInvitation(token, sam))?.state).toBe('expired')
    await expect(inv.acceptInvitation(sam, token)).rejects.toThrow(/expired/)
    await db.invitation.update({ where: { id: r.invitationId }, data: { expiresAt: new Date(Date.now() + 86_400_000) } })

    // Revoked.
    await inv.revokeInvitation(ctx('admin'), r.invitationId)
    expect((await inv.unsafeReadInvitation(token, sam))?.state).toBe('revoked')
    await expect(inv.acceptInvitation(sam, token)).rejects.toThrow(/revoked/)
    expect(await db.membership.count({ where: { orgId: org.id, userId: sam.id } })).toBe(0)
    expect(await db.auditEvent.count({ where: { orgId: org.id, action: 'invitation.revoke', outcome: 'success' } })).toBe(1)
    await expect(inv.revokeInvitation(ctx('admin'), r.invitationId)).rejects.toThrow(/already revoked/)
    // Its e-mail job is canceled and holds no sealed token any more.
    const job = await db.job.findFirstOrThrow({ where: { orgId: org.id, type: 'send_invitation' } })
    expect(job.status).toBe('canceled')
    expect(JSON.parse(job.payload).sealed).toBeUndefined()

    // Made-up or malformed tokens name nothing.
    await expect(inv.acceptInvitation(sam, 'A'.repeat(43))).rejects.toBeInstanceOf(errors.NotFoundError)
    await expect(inv.acceptInvitation(sam, "x' OR 1=1 --")).rejects.toBeInstanceOf(errors.NotFoundError)
    expect(await inv.unsafeReadInvitation('A'.repeat(43), sam)).toBeNull()
    expect(await db.auditEvent.count({ where: { orgId: org.id, action: 'invitation.accept', outcome: 'denied' } })).toBe(4)
  })

  it('re-sends with a new link (the old one stops working) and a new e-mail', async () => {
    const { db, drainJobs, fx, inv } = m
    const { org, ctx } = await fx.createOrg()
    const email = `kim.${org.slug}@test.example`
    const first = await inv.inviteMember(ctx('admin'), { email, role: 'auditor' })
    // Expired before anyone used it: re-send revives it.
    await db.invitation.update({ where: { id: first.invitationId }, data: { expiresAt: new Date(Date.now() - 1000) } })
    const again = await inv.resendInvitation(ctx('admin'), first.invitationId)
    expect(again.invitationId).toBe(first.invitationId)
    expect(again.path).not.toBe(first.path)
    expect(again.expiresAt.getTime()).toBeGreaterThan(Date.now() + 6 * 86_400_000)
    await drainJobs()
    const mails = received.filter((x) => x.to.includes(email)).map((x) => readable(x.data))
    // The first e-mail was canceled before it went out; only the new link was mailed.
    expect(mails).toHaveLength(1)
    expect(mails[0]).toContain(tokenOf(again.path))
    const kim = await person(email, 'Kim')
    await expect(inv.acceptInvitation(kim, tokenOf(first.path))).rejects.toThrow(/not valid/)
    await inv.acceptInvitation(kim, tokenOf(again.path))
    expect(await db.membership.findFirst({ where: { orgId: org.id, userId: kim.id } })).toMatchObject({ role: 'auditor' })
    expect(await db.auditEvent.count({ where: { orgId: org.id, action: 'invitation.resend' } })).toBe(1)
    await expect(inv.resendInvitation(ctx('admin'), first.invitationId)).rejects.toThrow(/already accepted/)
    expect(await storedText(org.id)).not.toContain(tokenOf(first.path))
    expect(await storedText(org.id)).not.toContain(tokenOf(again.path))
  })

  it('lists pending invitations; refuses duplicates, current members and deactivated people; a removed member rejoins', async () => {
    const { db, fx, inv, q } = m
    const { org, people, ctx } = await fx.createOrg()
    await expect(inv.inviteMember(ctx('admin'), { email: people.member.email, role: 'admin' })).rejects.toThrow(/already a member/)
    const gone = await person(`gone.${org.slug}@test.example`, 'Gone', false)
    await expect(inv.inviteMember(ctx('admin'), { email: gone.email, role: 'member' })).rejects.toThrow(/deactivated/)
    const a = await inv.inviteMember(ctx('admin'), { email: `ann.${org.slug}@test.example`, role: 'member' })
    await expect(inv.inviteMember(ctx('admin'), { email: `ANN.${org.slug}@test.example`, role: 'admin' })).rejects.toThrow(/already has a pending invitation/)
    const list = await q.listPendingInvitations(ctx('admin'))
    expect(list).toHaveLength(1)
    expect(list[0]).toMatchObject({ id: a.invitationId, state: 'pending', role: 'member', invitedBy: people.admin.name })

    // A member who was removed comes back with the invited role.
    await db.membership.updateMany({ where: { orgId: org.id, userId: people.auditor.id }, data: { status: 'removed', removedAt: new Date() } })
    const back = await inv.inviteMember(ctx('admin'), { email: people.auditor.email, role: 'governance' })
    await inv.acceptInvitation(people.auditor, tokenOf(back.path))
    expect(await db.membership.findFirst({ where: { orgId: org.id, userId: people.auditor.id } })).toMatchObject({
      status: 'active',
      role: 'governance',
      removedAt: null,
    })
  })

  it('lets only admins invite, re-send, revoke and list; another organization’s invitation is not found', async () => {
    const { db, fx, inv, q, errors } = m
    const { org, ctx } = await fx.createOrg()
    const other = await fx.createOrg()
    const r = await inv.inviteMember(ctx('admin'), { email: `lee.${org.slug}@test.example`, role: 'member' })
    for (const role of ['governance', 'member', 'auditor'] as const) {
      await expect(inv.inviteMember(ctx(role), { email: `x.${role}.${org.slug}@test.example`, role: 'admin' })).rejects.toBeInstanceOf(errors.ForbiddenError)
      await expect(inv.revokeInvitation(ctx(role), r.invitationId)).rejects.toBeInstanceOf(errors.ForbiddenError)
      await expect(inv.resendInvitation(ctx(role), r.invitationId)).rejects.toBeInstanceOf(errors.ForbiddenError)
      await expect(q.listPendingInvitations(ctx(role))).rejects.toBeInstanceOf(errors.ForbiddenError)
    }
    await expect(inv.revokeInvitation(other.ctx('admin'), r.invitationId)).rejects.toBeInstanceOf(errors.NotFoundError)
    await expect(inv.resendInvitation(other.ctx('admin'), r.invitationId)).rejects.toBeInstanceOf(errors.NotFoundError)
    expect(await q.listPendingInvitations(other.ctx('admin'))).toHaveLength(0)
    expect(await db.invitation.findUniqueOrThrow({ where: { id: r.invitationId } })).toMatchObject({ status: 'pending' })
    expect(await db.invitation.count({ where: { orgId: org.id } })).toBe(1)
  })
})

describe(`member roles (${process.env.TEST_ENGINE ?? 'sqlite'})`, () => {
  it('changes a role with an audit row of old and new, and tells the person', async () => {
    const { db, fx, mem } = m
    const { org, people, ctx } = await fx.createOrg()
    expect(await mem.changeMemberRole(ctx('admin'), { userId: people.member.id, role: 'governance' })).toMatchObject({ from: 'member', to: 'governance' })
    expect(await db.membership.findFirst({ where: { orgId: org.id, userId: people.member.id } })).toMatchObject({ role: 'governance' })
    const [row] = await db.auditEvent.findMany({ where: { orgId: org.id, action: 'member.role-change' } })
    expect(row).toMatchObject({ actorId: people.admin.id, targetId: people.member.id, targetLabel: people.member.email })
    expect(JSON.parse(row.details)).toEqual({ from: 'member', to: 'governance' })
    expect(await db.notification.count({ where: { orgId: org.id, userId: people.member.id, kind: 'member.role-changed' } })).toBe(1)
    await expect(mem.changeMemberRole(ctx('admin'), { userId: people.member.id, role: 'governance' })).rejects.toThrow(/already/)
  })

  it('keeps the last admin: neither another admin nor the admin themselves can demote them', async () => {
    const { db, fx, mem, errors } = m
    const { org, people, ctx } = await fx.createOrg()
    await expect(mem.changeMemberRole(ctx('admin'), { userId: people.admin.id, role: 'member' })).rejects.toThrow(/You are the last admin/)
    // A second admin who is deactivated does not count.
    await mem.changeMemberRole(ctx('admin'), { userId: people.governance.id, role: 'admin' })
    await db.user.update({ where: { id: people.governance.id }, data: { active: false } })
    await expect(mem.changeMemberRole(ctx('admin'), { userId: people.admin.id, role: 'auditor' })).rejects.toBeInstanceOf(errors.ConflictError)
    await db.user.update({ where: { id: people.governance.id }, data: { active: true } })
    // With another active admin, one may step down; then the remaining one is protected.
    await mem.changeMemberRole(ctx('admin'), { userId: people.admin.id, role: 'governance' })
    const gAsAdmin = { ...ctx('governance'), role: 'admin' as const }
    await expect(mem.changeMemberRole(gAsAdmin, { userId: people.governance.id, role: 'member' })).rejects.toThrow(/last admin/)
    expect(await db.membership.count({ where: { orgId: org.id, role: 'admin', status: 'active' } })).toBe(1)
    expect(await db.auditEvent.count({ where: { orgId: org.id, action: 'member.role-change' } })).toBe(2)
  })

  it('refuses governance, members and auditors; another organization’s person is not found', async () => {
    const { db, fx, mem, errors } = m
    const { org, people, ctx } = await fx.createOrg()
    const other = await fx.createOrg()
    for (const role of ['governance', 'member', 'auditor'] as const) {
      await expect(mem.changeMemberRole(ctx(role), { userId: people.member.id, role: 'admin' })).rejects.toBeInstanceOf(errors.ForbiddenError)
    }
    await expect(mem.changeMemberRole(ctx('admin'), { userId: other.people.member.id, role: 'admin' })).rejects.toBeInstanceOf(errors.NotFoundError)
    await expect(mem.changeMemberRole(other.ctx('admin'), { userId: people.member.id, role: 'admin' })).rejects.toBeInstanceOf(errors.NotFoundError)
    expect(await db.membership.findFirst({ where: { orgId: org.id, userId: people.member.id } })).toMatchObject({ role: 'member' })
    expect(await db.auditEvent.count({ where: { orgId: org.id, action: 'member.role-change' } })).toBe(0)
  })
})

describe(`owners who left (${process.env.TEST_ENGINE ?? 'sqlite'})`, () => {
  it('marks deactivated and removed owners in the inventory, on the identity and on My identities', async () => {
    const { db, fx, inventory, own } = m
    const { org, people, ctx, source } = await fx.createOrg()
    const deactivated = await person(`tom.${org.slug}@test.example`, 'Tom Left', false)
    await db.membership.create({ data: { orgId: org.id, userId: deactivated.id, role: 'member' } })
    const removed = await person(`rae.${org.slug}@test.example`, 'Rae Removed')
    await db.membership.create({ data: { orgId: org.id, userId: removed.id, role: 'member', status: 'removed', removedAt: new Date() } })
    const a = await fx.addIdentity(org.id, source.id, { name: 'left-a', ownerId: deactivated.id })
    const b = await fx.addIdentity(org.id, source.id, { name: 'left-b', ownerId: removed.id })
    const c = await fx.addIdentity(org.id, source.id, { name: 'left-c', ownerId: people.member.id })
    await db.identity.update({ where: { id: b.id }, data: { backupOwnerId: people.member.id } })
    // The same person is active in another organization: there they are not "left".
    const elsewhere = await fx.createOrg()
    await db.membership.create({ data: { orgId: elsewhere.org.id, userId: removed.id, role: 'member' } })

    const { identityListSchema } = await import('@/lib/inventory/schemas')
    const { personStatus } = await import('@/lib/members/person')
    const { rows } = await inventory.listIdentities(ctx('auditor'), identityListSchema.parse({ q: 'left-', sort: 'name', dir: 'asc' }))
    expect(rows.map((r) => [r.name, r.owner ? personStatus(r.owner) : null])).toEqual([
      ['left-a', 'deactivated'],
      ['left-b', 'left'],
      ['left-c', 'active'],
    ])
    const detail = await inventory.getIdentityOrThrow(ctx('member'), b.id)
    expect(personStatus(detail.identity.owner!)).toBe('left')
    expect(personStatus(detail.identity.backupOwner!)).toBe('active')
    const mine = await own.getMyOverview(ctx('member'), 1)
    const backedUp = mine.identities.find((i) => i.id === b.id)!
    expect(personStatus(backedUp.owner!)).toBe('left')
    expect([a.id, c.id].every(Boolean)).toBe(true)
  })
})
