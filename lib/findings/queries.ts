import 'server-only'
import { assertCan, type Ctx, type UserCtx } from '@/lib/auth/org-context'
import { pageWindow } from '@/components/data-table/search-params'
import { db } from '@/lib/db'
import type { Prisma } from '@/lib/generated/sqlite/client'
import { recomputeFindingsJob } from '@/lib/findings/jobs'
import type { FindingListParams } from '@/lib/findings/schemas'
import { SEVERITY_RANK } from '@/lib/findings/rules'
import { prismaSql } from '@/lib/sql/prisma'
import { sql } from '@/lib/sql/sql'

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
    // By rank, the order's first column: one severity is then a range of the order's index, read 50 rows at a time.
    ...(p.severity ? { severityRank: SEVERITY_RANK[p.severity] } : {}),
    ...(p.identity ? { identityId: p.identity } : {}),
    ...(Object.keys(identity).length ? { identity } : {}),
  }
  const dir = p.dir ?? (p.sort === 'severity' ? 'asc' : 'desc')
  const orderBy: Prisma.FindingOrderByWithRelationInput[] =
    p.sort === 'firstSeenAt'
      ? [{ firstSeenAt: dir }, { id: 'asc' }]
      : // The identity's risk as copied onto the finding (kept by triggers): one index walk, no join of every finding.
        [{ severityRank: dir }, { identityRisk: dir === 'asc' ? 'desc' : 'asc' }, { id: dir }]
  const [rows, counts] = await Promise.all([
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
    countFindings(ctx.org.id, p),
  ])
  // Who accepted each accepted risk, in one query for the page.
  const acceptors = [...new Set(rows.map((r) => r.acceptedById).filter((v): v is string => !!v))]
  const people = acceptors.length
    ? await db.membership.findMany({ where: { orgId: ctx.org.id, userId: { in: acceptors } }, select: { user: { select: { id: true, name: true } } } })
    : []
  const names = new Map(people.map((m) => [m.user.id, m.user.name]))
  return {
    rows: rows.map((r) => ({ ...r, acceptedBy: r.acceptedById ? (names.get(r.acceptedById) ?? 'a former member') : null })),
    ...counts,
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

/** Filtered by the identities' columns, findings are counted up to this many (each match reads its finding and identity). */
export const FINDING_COUNT_CAP = 1_000

type FindingCounts = {
  /** all pages; with totalAtLeast, counting stopped there (more than total - 1 match) */
  total: number
  totalAtLeast: boolean
  /** per OWASP code under the other filters; null when they match more than FINDING_COUNT_CAP findings by their identities */
  byCode: Record<string, number> | null
}

/**
 * The list's total and per-code counts, never counted over millions of findings per request: filtered by the finding's
 * own columns (status, code, severity, rule), sums of the FindingCount cells the database triggers keep; for one
 * identity, its few findings; by the identities' columns (owner, environment, source, name), counted up to FINDING_COUNT_CAP.
 */
async function countFindings(orgId: string, p: FindingListParams): Promise<FindingCounts> {
  const totalOf = (byCode: Record<string, number>) => (p.code ? (byCode[p.code] ?? 0) : Object.values(byCode).reduce((a, b) => a + b, 0))
  const sum = (list: { code: string; n: number }[]) => {
    const byCode: Record<string, number> = {}
    for (const r of list) byCode[r.code] = (byCode[r.code] ?? 0) + r.n
    return byCode
  }
  if (!p.owner && !p.env && !p.source && !p.q && !p.identity) {
    const cells = await db.findingCount.findMany({
      where: { orgId, status: p.status, n: { gt: 0 }, ...(p.rule ? { rule: p.rule } : {}), ...(p.severity ? { severity: p.severity } : {}) },
      select: { owaspCode: true, n: true },
    })
    const byCode = sum(cells.map((c) => ({ code: c.owaspCode, n: c.n })))
    return { total: totalOf(byCode), totalAtLeast: false, byCode }
  }
  const conds = [
    sql`f."orgId" = ${orgId}`,
    sql`f."status" = ${p.status}`,
    ...(p.rule ? [sql`f."rule" = ${p.rule}`] : []),
    ...(p.severity ? [sql`f."severity" = ${p.severity}`] : []),
    ...(p.identity ? [sql`f."identityId" = ${p.identity}`] : []),
    ...(p.owner === 'unowned' ? [sql`i."ownerId" IS NULL`] : p.owner ? [sql`i."ownerId" = ${p.owner}`] : []),
    ...(p.env ? [sql`i."environment" = ${p.env}`] : []),
    ...(p.source ? [sql`i."sourceId" = ${p.source}`] : []),
    ...(p.q ? [sql`i."searchText" LIKE ${`%${p.q.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`)}%`} ESCAPE '\\'`] : []),
  ]
  const where = sql.join(conds, ' AND ')
  const from = sql`"Finding" f JOIN "Identity" i ON i."id" = f."identityId" WHERE ${where}`
  const sample = await prismaSql().query<{ code: string }>(sql`SELECT f."owaspCode" AS "code" FROM ${from} LIMIT ${FINDING_COUNT_CAP + 1}`)
  if (sample.length <= FINDING_COUNT_CAP) {
    const byCode = sum(sample.map((r) => ({ code: r.code, n: 1 })))
    return { total: totalOf(byCode), totalAtLeast: false, byCode }
  }
  if (!p.code) return { total: FINDING_COUNT_CAP + 1, totalAtLeast: true, byCode: null }
  const [row] = await prismaSql().query<{ n: unknown }>(
    sql`SELECT COUNT(*) AS "n" FROM (SELECT 1 AS "x" FROM ${from} AND f."owaspCode" = ${p.code} LIMIT ${FINDING_COUNT_CAP + 1}) AS "c"`,
  )
  const n = Number(row?.n ?? 0)
  return { total: n, totalAtLeast: n > FINDING_COUNT_CAP, byCode: null }
}
