import 'server-only'
import { randomBytes } from 'node:crypto'
import { auditTarget, recordAudit, recordDenied } from '@/lib/audit/record'
import { assertCan, type UserActor, type UserCtx } from '@/lib/auth/org-context'
import { ROLE_LABELS, isRole } from '@/lib/auth/permissions'
import { db, type Tx } from '@/lib/db'
import { env } from '@/lib/env'
import { ConflictError, ForbiddenError, NotFoundError } from '@/lib/errors'
import { enqueueJob } from '@/lib/jobs/queue'
import { sendInvitationJob, invitationMailJobs } from '@/lib/members/jobs'
import { INVITATION_DAYS, invitationState, invitationTokenSchema, type InviteInput } from '@/lib/members/schemas'
import { seal, sha256 } from '@/lib/crypto/seal'
import { notify } from '@/lib/notifications/notify'

const DAY = 86_400_000

/** A fresh link token: 32 random bytes. Only its SHA-256 is stored; the caller shows it once. */
function newToken() {
  const token = randomBytes(32).toString('base64url')
  return { token, tokenHash: sha256(token), path: `/invite/${token}` }
}

/** The e-mail job carries the token sealed; without SMTP there is no job and the admin copies the link. */
async function enqueueInvitationMail(tx: Tx, ctx: UserCtx, invitationId: string, token: string) {
  if (!env().smtpUrl) return false
  await enqueueJob(tx, sendInvitationJob, { invitationId, sealed: seal(token, 'invitation-mail') }, { orgId: ctx.org.id, createdById: ctx.user.id })
  return true
}

/** Earlier e-mails of an invitation must not go out (revoked, or superseded by a re-send); their sealed tokens are dropped. */
async function retireInvitationMail(tx: Tx, orgId: string, invitationId: string) {
  const jobs = { orgId, ...invitationMailJobs(invitationId) }
  await tx.job.updateMany({
    where: { ...jobs, status: { in: ['queued', 'retrying'] } },
    data: { status: 'canceled', finishedAt: new Date(), lastError: 'Canceled: the invitation was revoked or re-sent.' },
  })
  await tx.job.updateMany({ where: { ...jobs, status: { not: 'running' } }, data: { payload: JSON.stringify({ invitationId }) } })
}

/** Invites a person by e-mail with a role. Returns the link's path, which is never stored and cannot be shown again. */
export async function inviteMember(ctx: UserCtx, input: Pick<InviteInput, 'email' | 'role'>) {
  assertCan(ctx, 'member:manage')
  const email = input.email.trim().toLowerCase()
  const now = new Date()
  return db.$transaction(async (tx) => {
    const user = await tx.user.findUnique({
      where: { email },
      select: { id: true, name: true, active: true, memberships: { where: { orgId: ctx.org.id }, select: { status: true } } },
    })
    if (user && !user.active) throw new ConflictError(`${user.name} (${email}) is deactivated and cannot sign in; an invitation would never be usable.`)
    if (user?.memberships[0]?.status === 'active')
      throw new ConflictError(`${user.name} (${email}) is already a member of ${ctx.org.name}. Change their role instead.`)
    const open = await tx.invitation.findFirst({ where: { orgId: ctx.org.id, email, status: 'pending', expiresAt: { gt: now } }, select: { id: true } })
    if (open) throw new ConflictError(`${email} already has a pending invitation. Re-send it for a new link, or revoke it first.`)
    const { token, tokenHash, path } = newToken()
    const expiresAt = new Date(now.getTime() + INVITATION_DAYS * DAY)
    const inv = await tx.invitation.create({ data: { orgId: ctx.org.id, email, role: input.role, tokenHash, expiresAt, invitedById: ctx.user.id } })
    const emailed = await enqueueInvitationMail(tx, ctx, inv.id, token)
    await recordAudit(tx, ctx, {
      action: 'invitation.create',
      targetType: 'invitation',
      targetId: inv.id,
      targetLabel: email,
      details: { email, role: input.role, expiresAt: expiresAt.toISOString(), emailed, existingUser: !!user },
    })
    return { invitationId: inv.id, path, email, role: input.role, expiresAt, emailed }
  })
}

/** A new link (the old one stops working), a new expiry, and a new e-mail when SMTP is configured. */
export async function resendInvitation(ctx: UserCtx, invitationId: string) {
  assertCan(ctx, 'member:manage')
  const now = new Date()
  return db.$transaction(async (tx) => {
    const inv = await tx.invitation.findFirst({ where: { id: invitationId, orgId: ctx.org.id } })
    if (!inv) throw new NotFoundError('Invitation not found')
    if (inv.status !== 'pending') throw new ConflictError(`This invitation was already ${inv.status}; invite ${inv.email} again instead.`)
    const { token, tokenHash, path } = newToken()
    const expiresAt = new Date(now.getTime() + INVITATION_DAYS * DAY)
    const r = await tx.invitation.updateMany({ where: { id: inv.id, orgId: ctx.org.id, status: 'pending' }, data: { tokenHash, expiresAt, emailedAt: null } })
    if (r.count !== 1) throw new ConflictError('This invitation changed a moment ago; reload the page.')
    await retireInvitationMail(tx, ctx.org.id, inv.id)
    const emailed = await enqueueInvitationMail(tx, ctx, inv.id, token)
    await recordAudit(tx, ctx, {
      action: 'invitation.resend',
      ...auditTarget('invitation', inv, inv.email),
      details: { email: inv.email, role: inv.role, expiresAt: expiresAt.toISOString(), emailed, wasExpired: inv.expiresAt <= now },
    })
    return { invitationId: inv.id, path, email: inv.email, role: inv.role, expiresAt, emailed }
  })
}

export async function revokeInvitation(ctx: UserCtx, invitationId: string) {
  assertCan(ctx, 'member:manage')
  return db.$transaction(async (tx) => {
    const inv = await tx.invitation.findFirst({ where: { id: invitationId, orgId: ctx.org.id }, select: { id: true, email: true, role: true, status: true } })
    if (!inv) throw new NotFoundError('Invitation not found')
    const r = await tx.invitation.updateMany({
      where: { id: inv.id, orgId: ctx.org.id, status: 'pending' },
      data: { status: 'revoked', revokedAt: new Date() },
    })
    if (r.count !== 1) throw new ConflictError(`This invitation was already ${inv.status}.`)
    await retireInvitationMail(tx, ctx.org.id, inv.id)
    await recordAudit(tx, ctx, { action: 'invitation.revoke', ...auditTarget('invitation', inv, inv.email), details: { email: inv.email, role: inv.role } })
    return { invitationId: inv.id }
  })
}

type SignedIn = { id: string; email: string; name: string }

function mask(email: string) {
  const [local, domain] = email.split('@')
  return `${local.slice(0, 1)}${'•'.repeat(Math.max(2, Math.min(6, local.length - 1)))}@${domain}`
}

/**
 * What an invitation link says to the signed-in person who opened it. Not scoped to an organization: the person is
 * not a member yet and the token is the authority. The invited address is shown in full only to its owner.
 */
export async function unsafeReadInvitation(token: string, user: SignedIn, now = new Date()) {
  if (!invitationTokenSchema.safeParse(token).success) return null
  const inv = await db.invitation.findUnique({
    where: { tokenHash: sha256(token) },
    select: {
      id: true,
      orgId: true,
      email: true,
      role: true,
      status: true,
      expiresAt: true,
      acceptedById: true,
      invitedById: true,
      org: { select: { name: true, slug: true } },
    },
  })
  if (!inv) return null
  const [by, member] = await Promise.all([
    inv.invitedById ? db.user.findUnique({ where: { id: inv.invitedById }, select: { name: true } }) : null,
    db.membership.findFirst({ where: { orgId: inv.orgId, userId: user.id, status: 'active' }, select: { role: true } }),
  ])
  const matches = inv.email === user.email.toLowerCase()
  return {
    state: invitationState(inv, now),
    org: inv.org,
    role: isRole(inv.role) ? ROLE_LABELS[inv.role] : inv.role,
    invitedBy: by?.name ?? null,
    expiresAt: inv.expiresAt,
    emailMatches: matches,
    email: matches ? inv.email : mask(inv.email),
    acceptedByYou: inv.acceptedById === user.id,
    alreadyMember: !!member,
  }
}

/**
 * The signed-in person joins the organization with the invited role. Their e-mail must be the invited one
 * (case-insensitively); a used, expired or revoked link is refused, and every refusal is audited in the inviting organization.
 */
export async function acceptInvitation(user: SignedIn, token: string, now = new Date()) {
  const inv = invitationTokenSchema.safeParse(token).success
    ? await db.invitation.findUnique({ where: { tokenHash: sha256(token) }, include: { org: { select: { id: true, slug: true, name: true } } } })
    : null
  if (!inv) throw new NotFoundError('This invitation link is not valid. Check that you copied all of it, or ask for a new one.')
  const actor: UserActor = { type: 'user', id: user.id, label: user.email }
  const ctx = { org: inv.org, actor }
  const refuse = async (reason: string, err: Error): Promise<never> => {
    await recordDenied(ctx, { action: 'invitation.accept', targetType: 'invitation', targetId: inv.id, targetLabel: inv.email, details: { reason } })
    throw err
  }
  const state = invitationState(inv, now)
  if (state === 'revoked')
    await refuse('revoked', new ConflictError(`This invitation to ${inv.org.name} was revoked. Ask an admin of ${inv.org.name} for a new one.`))
  if (state === 'accepted')
    await refuse('already used', new ConflictError('This invitation was already used. Each link works once; ask an admin for a new one if you still need it.'))
  if (state === 'expired')
    await refuse(
      'expired',
      new ConflictError(`This invitation expired on ${inv.expiresAt.toISOString().slice(0, 10)}. Ask an admin of ${inv.org.name} to re-send it.`),
    )
  if (inv.email !== user.email.toLowerCase()) {
    await refuse(
      'e-mail mismatch',
      new ForbiddenError(`This invitation is for ${mask(inv.email)}, but you are signed in as ${user.email}. Sign out and sign in with the invited address.`),
    )
  }
  const role = inv.role
  if (!isRole(role)) throw new ConflictError('This invitation names an unknown role; ask an admin for a new one.')
  return db.$transaction(async (tx) => {
    const claimed = await tx.invitation.updateMany({
      where: { id: inv.id, orgId: inv.orgId, status: 'pending', expiresAt: { gt: now } },
      data: { status: 'accepted', acceptedById: user.id, acceptedAt: now },
    })
    if (claimed.count !== 1) throw new ConflictError('This invitation was used or revoked a moment ago.')
    const existing = await tx.membership.findUnique({
      where: { orgId_userId: { orgId: inv.orgId, userId: user.id } },
      select: { id: true, status: true, role: true },
    })
    if (existing?.status === 'active') throw new ConflictError(`You are already a member of ${inv.org.name}.`)
    if (existing) await tx.membership.update({ where: { id: existing.id, orgId: inv.orgId }, data: { status: 'active', role, removedAt: null } })
    else await tx.membership.create({ data: { orgId: inv.orgId, userId: user.id, role } })
    await retireInvitationMail(tx, inv.orgId, inv.id)
    await recordAudit(tx, ctx, {
      action: 'invitation.accept',
      ...auditTarget('user', user, user.email),
      details: { invitationId: inv.id, role: inv.role, rejoined: !!existing, previousRole: existing?.role ?? null },
    })
    if (inv.invitedById && inv.invitedById !== user.id) {
      await notify(tx, [
        {
          orgId: inv.orgId,
          userId: inv.invitedById,
          kind: 'invitation.accepted',
          title: `${user.name} joined ${inv.org.name}`,
          body: `${user.name} (${user.email}) accepted your invitation and joined as ${ROLE_LABELS[role]}.`,
          link: `/${inv.org.slug}/settings`,
        },
      ])
    }
    return { orgSlug: inv.org.slug, role }
  })
}
