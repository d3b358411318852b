import 'server-only'
import { assertCan, type Ctx, type UserCtx } from '@/lib/auth/org-context'
import { pageWindow } from '@/components/data-table/search-params'
import { db } from '@/lib/db'
import type { Prisma } from '@/lib/generated/sqlite/client'
import { recomputeFindingsJob } from '@/lib/findings/jobs'
import type { FindingListParams } from '@/lib/findings/schemas'

/** The Findings page: filtered and sorted on the server across all pages (severity first, then risk). */
export async function listFindings(ctx: Ctx, p: FindingListParams) {
  assertCan(ctx, 'identity:read')
  const identity: Prisma.IdentityWhereInput = {
    ...(p.owner === 'unowned' ? { ownerId: null } : p.owner ? { ownerId: p.owner } : {}),
    ...(p.env ? { environment: p.env } : {}),
    ...(p.source ? { sourceId: p.source } : {}),
    ...(p.q ? { searchText: { contains: p.q.toLowerCase() } } : {}),
  }
  const where: Prisma.FindingWhereInput = {
    orgId: ctx.org.id,
    status: p.status,
    ...(p.code ? { owaspCode: p.code } : {}),
    ...(p.rule ? { rule: p.rule } : {}),
    ...(p.severity ? { severity: p.severity } : {}),
    ...(p.identity ? { identityId: p.identity } : {}),
    ...(Object.keys(identity).length ? { identity } : {}),
  }
  const dir = p.dir ?? (p.sort === 'severity' ? 'asc' : 'desc')
  const orderBy: Prisma.FindingOrderByWithRelationInput[] =
    p.sort === 'firstSeenAt'
      ? [{ firstSeenAt: dir }, { id: 'asc' }]
      : // The identity's risk as copied onto the finding (kept by triggers): one index walk, no join of every finding.
        [{ severityRank: dir }, { identityRisk: dir === 'asc' ? 'desc' : 'asc' }, { id: dir }]
  const [rows, byCode] = await Promise.all([
    db.finding.findMany({
      where,
      orderBy,
      ...pageWindow(p),
      select: {
        id: true,
        rule: true,
        owaspCode: true,
        severity: true,
        title: true,
        detail: true,
        status: true,
        firstSeenAt: true,
        lastSeenAt: true,
        acceptedUntil: true,
        acceptedReason: true,
        acceptedAt: true,
        acceptedById: true,
        identity: {
          select: { id: true, name: true, kind: true, environment: true, riskScore: true, owner: { select: { id: true, name: true, active: true } } },
        },
      },
    }),
    db.finding.groupBy({ by: ['owaspCode'], where: { ...where, owaspCode: undefined }, _count: { _all: true } }),
  ])
  // Every finding has a code, so the total is the per-code counts summed (one pass over the index instead of two).
  const total = byCode.filter((r) => !p.code || r.owaspCode === p.code).reduce((n, r) => n + r._count._all, 0)
  // Who accepted each accepted risk, in one query for the page.
  const acceptors = [...new Set(rows.map((r) => r.acceptedById).filter((v): v is string => !!v))]
  const people = acceptors.length
    ? await db.membership.findMany({ where: { orgId: ctx.org.id, userId: { in: acceptors } }, select: { user: { select: { id: true, name: true } } } })
    : []
  const names = new Map(people.map((m) => [m.user.id, m.user.name]))
  return {
    rows: rows.map((r) => ({ ...r, acceptedBy: r.acceptedById ? (names.get(r.acceptedById) ?? 'a former member') : null })),
    total,
    byCode: Object.fromEntries(byCode.map((r) => [r.owaspCode, r._count._all])) as Record<string, number>,
  }
}

/** What the Findings page's filter controls offer: this organization's sources and people. */
export async function findingFilterOptions(ctx: UserCtx) {
  assertCan(ctx, 'identity:read')
  const [sources, people] = await Promise.all([
    db.source.findMany({ where: { orgId: ctx.org.id }, select: { id: true, name: true }, orderBy: { name: 'asc' } }),
    db.membership.findMany({
      where: { orgId: ctx.org.id, status: 'active' },
      select: { user: { select: { id: true, name: true } } },
      orderBy: { user: { name: 'asc' } },
    }),
  ])
  return { sources, people: people.map((m) => m.user) }
}

/** The most recent recompute of this organization, for the progress line on the findings page. */
export async function latestRecompute(ctx: UserCtx) {
  assertCan(ctx, 'identity:read')
  return db.job.findFirst({
    where: { orgId: ctx.org.id, type: recomputeFindingsJob.type },
    orderBy: { createdAt: 'desc' },
    select: { id: true, status: true, progress: true, total: true, createdAt: true, finishedAt: true, lastError: true },
  })
}
