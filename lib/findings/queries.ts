import 'server-only'
import { assertCan, type OrgContext } from '@/lib/auth/org-context'
import { db } from '@/lib/db'
import { RECOMPUTE_JOB } from '@/lib/findings/recompute'
import type { FindingListParams } from '@/lib/findings/schemas'

export const FINDINGS_PAGE_SIZE = 50
const SEVERITY_ORDER = { critical: 0, high: 1, medium: 2, low: 3 } as Record<string, number>

export async function listFindings(ctx: OrgContext, p: FindingListParams) {
  assertCan(ctx, 'identity:read')
  const where = {
    orgId: ctx.org.id,
    status: p.status,
    ...(p.code ? { owaspCode: p.code } : {}),
    ...(p.rule ? { rule: p.rule } : {}),
    ...(p.severity ? { severity: p.severity } : {}),
  }
  const [rows, total, byCode] = await Promise.all([
    db.finding.findMany({
      where,
      orderBy: [{ lastSeenAt: 'desc' }, { id: 'asc' }],
      skip: (p.page - 1) * FINDINGS_PAGE_SIZE,
      take: FINDINGS_PAGE_SIZE,
      select: {
        id: true, rule: true, owaspCode: true, severity: true, title: true, status: true, firstSeenAt: true, lastSeenAt: true,
        acceptedUntil: true, acceptedReason: true,
        identity: { select: { id: true, name: true, kind: true, environment: true } },
      },
    }),
    db.finding.count({ where }),
    db.finding.groupBy({ by: ['owaspCode'], where: { orgId: ctx.org.id, status: p.status }, _count: { _all: true } }),
  ])
  rows.sort((a, b) => (SEVERITY_ORDER[a.severity] ?? 9) - (SEVERITY_ORDER[b.severity] ?? 9))
  return { rows, total, byCode: Object.fromEntries(byCode.map((r) => [r.owaspCode, r._count._all])) as Record<string, number> }
}

/** The most recent recompute of this organization, for the progress line on the findings page. */
export async function latestRecompute(ctx: OrgContext) {
  assertCan(ctx, 'identity:read')
  return db.job.findFirst({
    where: { orgId: ctx.org.id, type: RECOMPUTE_JOB },
    orderBy: { createdAt: 'desc' },
    select: { id: true, status: true, progress: true, total: true, createdAt: true, finishedAt: true, lastError: true },
  })
}
