import 'server-only'
import { assertCan, type UserCtx } from '@/lib/auth/org-context'
import { db } from '@/lib/db'
import { invitationState } from '@/lib/members/schemas'

export async function listMembers(ctx: UserCtx) {
  assertCan(ctx, 'member:manage')
  const [members, owned] = await Promise.all([
    db.membership.findMany({
      where: { orgId: ctx.org.id, status: 'active' },
      select: { id: true, role: true, createdAt: true, user: { select: { id: true, name: true, email: true, active: true } } },
      orderBy: { user: { name: 'asc' } },
    }),
    // Counted like the inventory list the number links to (owner filter): deleted identities are not owned by anyone.
    db.identity.groupBy({ by: ['ownerId'], where: { orgId: ctx.org.id, ownerId: { not: null }, status: { not: 'deleted' } }, _count: { _all: true } }),
  ])
  const counts = new Map(owned.map((o) => [o.ownerId, o._count._all]))
  return members.map((m) => ({ ...m, owned: counts.get(m.user.id) ?? 0 }))
}

/** Invitations not yet answered (expired ones too, so they can be re-sent), newest first. */
export async function listPendingInvitations(ctx: UserCtx, now = new Date()) {
  assertCan(ctx, 'member:manage')
  const rows = await db.invitation.findMany({
    where: { orgId: ctx.org.id, status: 'pending' },
    orderBy: [{ createdAt: 'desc' }, { id: 'desc' }],
    take: 200,
    select: { id: true, email: true, role: true, status: true, expiresAt: true, emailedAt: true, createdAt: true, invitedById: true },
  })
  const inviterIds = [...new Set(rows.map((r) => r.invitedById).filter((x): x is string => !!x))]
  const inviters = inviterIds.length ? await db.user.findMany({ where: { id: { in: inviterIds } }, select: { id: true, name: true } }) : []
  const nameOf = new Map(inviters.map((u) => [u.id, u.name]))
  return rows.map((r) => ({
    id: r.id,
    email: r.email,
    role: r.role,
    state: invitationState(r, now),
    expiresAt: r.expiresAt,
    emailedAt: r.emailedAt,
    createdAt: r.createdAt,
    invitedBy: r.invitedById ? (nameOf.get(r.invitedById) ?? null) : null,
  }))
}
