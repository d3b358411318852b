import 'server-only'
import { assertCan, type OrgContext } from '@/lib/auth/org-context'
import { db } from '@/lib/db'

export async function listMembers(ctx: OrgContext) {
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
