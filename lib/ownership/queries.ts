import 'server-only'
import { assertCan, type UserCtx } from '@/lib/auth/org-context'
import { db } from '@/lib/db'
import { getOrgSettings } from '@/lib/inventory/queries'
import { personSelect } from '@/lib/members/person'

const DAY = 86_400_000
export const MY_PAGE_SIZE = 50

/** Everything "My identities" shows: what I own or back up (one page of it), what needs me, in a fixed number of queries. */
export async function getMyOverview(ctx: UserCtx, paging: number | { page: number; size: number }, now = new Date()) {
  assertCan(ctx, 'identity:read')
  const { page, size } = typeof paging === 'number' ? { page: paging, size: MY_PAGE_SIZE } : paging
  const settings = await getOrgSettings(ctx)
  const mine = { orgId: ctx.org.id, status: { not: 'deleted' }, OR: [{ ownerId: ctx.user.id }, { backupOwnerId: ctx.user.id }] }
  const rotateBefore = new Date(now.getTime() - settings.rotationMaxDays * DAY)
  const expiresBefore = new Date(now.getTime() + 30 * DAY)
  const dueCreds = {
    orgId: ctx.org.id,
    status: 'active',
    identity: mine,
    OR: [{ lastRotatedAt: { lt: rotateBefore } }, { lastRotatedAt: null, createdAt: { lt: rotateBefore } }, { expiresAt: { lt: expiresBefore } }],
  }
  const [identities, total, owned, attestationDue, credentials, credentialTotal, reviewItems, reviewTotal, incoming, outgoing] = await Promise.all([
    db.identity.findMany({
      where: mine,
      orderBy: [{ riskScore: 'desc' }, { name: 'asc' }, { id: 'asc' }],
      skip: (page - 1) * size,
      take: size,
      select: {
        id: true,
        name: true,
        kind: true,
        environment: true,
        riskScore: true,
        ownerId: true,
        owner: { select: personSelect(ctx.org.id) },
        lastAttestedAt: true,
        attestationDue: true,
        source: { select: { name: true } },
        findings: { where: { status: 'open' }, select: { id: true, title: true, severity: true, owaspCode: true }, orderBy: { severity: 'asc' }, take: 3 },
      },
    }),
    db.identity.count({ where: mine }),
    db.identity.count({ where: { orgId: ctx.org.id, status: { not: 'deleted' }, ownerId: ctx.user.id } }),
    db.identity.count({
      where: { orgId: ctx.org.id, status: { not: 'deleted' }, ownerId: ctx.user.id, OR: [{ attestationDue: null }, { attestationDue: { lt: now } }] },
    }),
    db.credential.findMany({
      where: dueCreds,
      orderBy: [{ createdAt: 'asc' }],
      take: 10,
      select: { id: true, kind: true, label: true, createdAt: true, lastRotatedAt: true, expiresAt: true, identity: { select: { id: true, name: true } } },
    }),
    db.credential.count({ where: dueCreds }),
    db.reviewItem.findMany({
      where: { orgId: ctx.org.id, reviewerId: ctx.user.id, status: 'pending' },
      orderBy: { createdAt: 'asc' },
      take: 10,
      select: { id: true, campaignId: true, campaign: { select: { name: true, dueAt: true } }, identity: { select: { id: true, name: true } } },
    }),
    db.reviewItem.count({ where: { orgId: ctx.org.id, reviewerId: ctx.user.id, status: 'pending' } }),
    db.ownershipTransfer.findMany({
      where: { orgId: ctx.org.id, toUserId: ctx.user.id, status: 'pending' },
      orderBy: { createdAt: 'desc' },
      take: 50,
      select: { id: true, note: true, createdAt: true, fromUserId: true, identity: { select: { id: true, name: true, kind: true } } },
    }),
    db.ownershipTransfer.findMany({
      where: { orgId: ctx.org.id, fromUserId: ctx.user.id, status: 'pending' },
      orderBy: { createdAt: 'desc' },
      take: 50,
      select: { id: true, createdAt: true, toUserId: true, identity: { select: { id: true, name: true } } },
    }),
  ])
  // Counted for this page's identities only: a relation _count in the select above groups every open finding of the database.
  const openCounts = identities.length
    ? await db.finding.groupBy({
        by: ['identityId'],
        where: { orgId: ctx.org.id, status: 'open', identityId: { in: identities.map((i) => i.id) } },
        _count: { _all: true },
      })
    : []
  const openOf = new Map(openCounts.map((r) => [r.identityId, r._count._all]))
  const userIds = [...new Set([...incoming.map((t) => t.fromUserId), ...outgoing.map((t) => t.toUserId)].filter((x): x is string => !!x))]
  const users = userIds.length ? await db.user.findMany({ where: { id: { in: userIds } }, select: { id: true, name: true } }) : []
  const nameOf = new Map(users.map((u) => [u.id, u.name]))
  return {
    identities: identities.map((i) => ({ ...i, _count: { findings: openOf.get(i.id) ?? 0 } })),
    total,
    owned,
    backup: total - owned,
    attestationDue,
    credentials,
    credentialTotal,
    reviewItems,
    reviewTotal,
    incoming: incoming.map((t) => ({ ...t, fromName: t.fromUserId ? (nameOf.get(t.fromUserId) ?? 'someone') : 'someone' })),
    outgoing: outgoing.map((t) => ({ ...t, toName: nameOf.get(t.toUserId) ?? 'someone' })),
    settings,
  }
}

/** People and teams to choose from when assigning (active members only). */
export async function listAssignees(ctx: UserCtx) {
  const [people, teams] = await Promise.all([
    db.membership.findMany({
      where: { orgId: ctx.org.id, status: 'active', user: { active: true } },
      select: { user: { select: { id: true, name: true, email: true } } },
      orderBy: { user: { name: 'asc' } },
    }),
    db.team.findMany({ where: { orgId: ctx.org.id }, select: { id: true, name: true }, orderBy: { name: 'asc' } }),
  ])
  return { people: people.map((p) => p.user), teams }
}

export async function pendingTransferFor(ctx: UserCtx, identityId: string) {
  return db.ownershipTransfer.findFirst({ where: { orgId: ctx.org.id, identityId, status: 'pending' }, select: { id: true, toUserId: true, fromUserId: true } })
}
