import 'server-only'
import { auditTarget, recordAudit } from '@/lib/audit/record'
import { assertCan, type UserCtx } from '@/lib/auth/org-context'
import { db, type Tx } from '@/lib/db'
import { ConflictError, NotFoundError, ValidationError } from '@/lib/errors'
import { enqueueJob } from '@/lib/jobs/queue'
import { ROLE_LABELS, type Role } from '@/lib/auth/permissions'
import { notify } from '@/lib/notifications/notify'
import { offboardMemberJob } from '@/lib/ownership/jobs'
import type { OffboardPayload } from '@/lib/ownership/schemas'

async function leaver(ctx: UserCtx, userId: string) {
  const m = await db.membership.findFirst({
    where: { orgId: ctx.org.id, userId },
    select: { id: true, role: true, status: true, user: { select: { id: true, name: true, email: true, active: true } } },
  })
  // A user of another organization is answered as unknown.
  if (!m) throw new NotFoundError('Member not found')
  if (userId === ctx.user.id) throw new ValidationError('You cannot remove or deactivate yourself; ask another admin.')
  if (m.role === 'admin' && m.status === 'active') {
    const admins = await db.membership.count({ where: { orgId: ctx.org.id, role: 'admin', status: 'active', user: { active: true }, userId: { not: userId } } })
    if (admins === 0) throw new ConflictError('This is the last admin of the organization; make someone else admin first.')
  }
  return m
}

type Leaver = Awaited<ReturnType<typeof leaver>>

/** Hands the leaver's identities over (an offboard_member job) and records the removal or deactivation. */
async function offboard(tx: Tx, ctx: UserCtx, m: Leaver, reason: OffboardPayload['reason']) {
  const { user } = m
  const owned = await tx.identity.count({ where: { orgId: ctx.org.id, ownerId: user.id } })
  // Pending hand-offs to or from the leaver can no longer complete.
  await tx.ownershipTransfer.updateMany({
    where: { orgId: ctx.org.id, status: 'pending', OR: [{ toUserId: user.id }, { fromUserId: user.id }] },
    data: { status: 'canceled', decidedAt: new Date() },
  })
  const payload: OffboardPayload = {
    userId: user.id,
    leaverLabel: `${user.name} <${user.email}>`,
    reason,
    totals: { toBackup: 0, toLead: 0, orphaned: 0, backupsCleared: 0 },
  }
  const job = await enqueueJob(tx, offboardMemberJob, payload, { orgId: ctx.org.id, total: owned, createdById: ctx.user.id })
  await recordAudit(tx, ctx, {
    action: reason === 'removed' ? 'member.remove' : 'member.deactivate',
    ...auditTarget('user', user, user.email),
    details: { role: m.role, owned, jobId: job.id },
  })
  return { jobId: job.id, owned }
}

/** Removes a person from this organization; their identities are handed over by an offboard_member job. */
export async function removeMember(ctx: UserCtx, userId: string) {
  assertCan(ctx, 'member:manage')
  const m = await leaver(ctx, userId)
  if (m.status !== 'active') throw new ConflictError(`${m.user.name} was already removed.`)
  return db.$transaction(async (tx) => {
    await tx.membership.update({ where: { id: m.id, orgId: ctx.org.id }, data: { status: 'removed', removedAt: new Date() } })
    return offboard(tx, ctx, m, 'removed')
  })
}

/**
 * Deactivates a person: they can no longer sign in or own identities. A user account is shared across
 * organizations, so an admin of one organization may deactivate only people who belong to no other.
 */
export async function deactivateMember(ctx: UserCtx, userId: string) {
  assertCan(ctx, 'member:manage')
  const m = await leaver(ctx, userId)
  if (!m.user.active) throw new ConflictError(`${m.user.name} is already deactivated.`)
  const elsewhere = await db.membership.count({ where: { userId, status: 'active', orgId: { not: ctx.org.id } } })
  if (elsewhere > 0) throw new ConflictError(`${m.user.name} also belongs to another organization; remove them from this one instead.`)
  return db.$transaction(async (tx) => {
    // A user row is shared by every organization (not tenant data): checked above to belong to no other.
    await tx.user.update({ where: { id: m.user.id }, data: { active: false } })
    return offboard(tx, ctx, m, 'deactivated')
  })
}

/**
 * Changes a member's role. The organization always keeps an active admin: the last one cannot be demoted, by
 * someone else or by themselves.
 */
export async function changeMemberRole(ctx: UserCtx, input: { userId: string; role: Role }) {
  assertCan(ctx, 'member:manage')
  return db.$transaction(async (tx) => {
    // A row lock on the organization (PostgreSQL) serializes role changes, so two admins demoting each other cannot leave none.
    await tx.organization.updateMany({ where: { id: ctx.org.id }, data: { auditSeq: { increment: 0 } } })
    const m = await tx.membership.findFirst({
      where: { orgId: ctx.org.id, userId: input.userId, status: 'active' },
      select: { id: true, role: true, user: { select: { id: true, name: true, email: true, active: true } } },
    })
    // Someone of another organization, or no longer a member here, is answered as unknown.
    if (!m) throw new NotFoundError('Member not found')
    if (m.role === input.role) throw new ConflictError(`${m.user.name} is already ${ROLE_LABELS[input.role]}.`)
    if (m.role === 'admin') {
      const others = await tx.membership.count({
        where: { orgId: ctx.org.id, role: 'admin', status: 'active', user: { active: true }, userId: { not: m.user.id } },
      })
      if (others === 0) {
        throw new ConflictError(
          m.user.id === ctx.user.id
            ? 'You are the last admin of this organization; make someone else admin before changing your own role.'
            : `${m.user.name} is the last admin of this organization; make someone else admin first.`,
        )
      }
    }
    // Conditional on the role read above, so two admins changing the same person at once cannot both win.
    const r = await tx.membership.updateMany({ where: { id: m.id, orgId: ctx.org.id, role: m.role, status: 'active' }, data: { role: input.role } })
    if (r.count !== 1) throw new ConflictError(`${m.user.name}'s role changed a moment ago; reload the page.`)
    await recordAudit(tx, ctx, { action: 'member.role-change', ...auditTarget('user', m.user, m.user.email), details: { from: m.role, to: input.role } })
    if (m.user.id !== ctx.user.id && m.user.active) {
      await notify(tx, [
        {
          orgId: ctx.org.id,
          userId: m.user.id,
          kind: 'member.role-changed',
          title: `Your role in ${ctx.org.name} is now ${ROLE_LABELS[input.role]}`,
          body: `${ctx.user.name} changed your role in ${ctx.org.name} from ${ROLE_LABELS[m.role as Role] ?? m.role} to ${ROLE_LABELS[input.role]}.`,
          link: `/${ctx.org.slug}`,
        },
      ])
    }
    return { userId: m.user.id, from: m.role, to: input.role }
  })
}
