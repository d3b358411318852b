import 'server-only'
import type { Prisma } from '@/lib/generated/sqlite/client'
import { assertCan, type Ctx, type UserCtx } from '@/lib/auth/org-context'
import { pageWindow } from '@/components/data-table/search-params'
import { db } from '@/lib/db'
import { filterInWords } from '@/lib/inventory/queries'
import { personSelect, personStatus } from '@/lib/members/person'
import { getCampaignOrThrow, myItemsWhere } from './internal'
import { closeCampaignJob, launchCampaignJob } from './jobs'
import { median } from './recommend'
import type { CampaignItemsParams, ReviewListParams } from './schemas'

/** One page of the organization's campaigns, newest first, and how many there are. */
export async function listCampaigns(ctx: Ctx, p: { page: number; size: number; status?: string }) {
  assertCan(ctx, 'campaign:read')
  const where = { orgId: ctx.org.id, ...(p.status ? { status: p.status } : {}) }
  const [rows, total] = await Promise.all([
    // The usual newest-first page of a list (alike the jobs list): Prisma's query shape, not logic to share.
    db.campaign.findMany({
      where,
      orderBy: [{ createdAt: 'desc' }, { id: 'asc' }],
      ...pageWindow(p),
      select: {
        id: true,
        name: true,
        type: true,
        status: true,
        itemCount: true,
        decidedCount: true,
        dueAt: true,
        launchedAt: true,
        closedAt: true,
        currentStage: true,
        recurrence: true,
      },
    }),
    db.campaign.count({ where }),
  ])
  return { rows, total }
}

/** One campaign of the organization (the API's view of its status and progress). */
export async function getCampaign(ctx: Ctx, id: string) {
  assertCan(ctx, 'campaign:read')
  return getCampaignOrThrow(ctx, id)
}

/** People who can review (for the fallback, sign-off and delegate pickers). */
export async function listReviewers(ctx: UserCtx) {
  const rows = await db.membership.findMany({
    where: { orgId: ctx.org.id, status: 'active', role: { in: ['admin', 'governance', 'member'] }, user: { active: true } },
    select: { role: true, user: { select: { id: true, name: true, email: true } } },
    orderBy: { user: { name: 'asc' } },
  })
  return rows.map((r) => ({ ...r.user, role: r.role }))
}

/** Everything the campaign page shows about the campaign itself: the row, its running job, its scope in words and names. */
export async function getCampaignDetail(ctx: UserCtx, id: string) {
  assertCan(ctx, 'campaign:read')
  const c = await getCampaignOrThrow(ctx, id)
  // The job that launches the campaign, or closes its current stage, by the key its definition gives it.
  const key =
    c.status === 'launching'
      ? launchCampaignJob.key({ campaignId: c.id }, { orgId: ctx.org.id })
      : c.status === 'closing'
        ? closeCampaignJob.key({ campaignId: c.id, stage: c.currentStage }, { orgId: ctx.org.id })
        : null
  const job = key
    ? await db.job.findFirst({
        where: { orgId: ctx.org.id, idempotencyKey: key },
        select: { status: true, progress: true, total: true, lastError: true, attempts: true },
      })
    : null
  const people = await db.user.findMany({
    where: { id: { in: [c.fallbackReviewerId, c.signoffReviewerId, c.createdById].filter((x): x is string => !!x) } },
    select: { id: true, name: true },
  })
  const nameOf = (uid: string | null) => people.find((p) => p.id === uid)?.name ?? null
  let raw: unknown = {}
  try {
    raw = JSON.parse(c.scope)
  } catch {}
  const scope = await filterInWords(db, ctx.org.id, raw, nameOf(c.createdById))
  return { campaign: c, job, scope, fallbackName: nameOf(c.fallbackReviewerId), signoffName: nameOf(c.signoffReviewerId), createdByName: nameOf(c.createdById) }
}

export const REVIEWERS_PAGE_SIZE = 10
const DECIDED = new Set(['keep', 'revoke', 'reduce'])

export type ReviewerStats = { id: string | null; name: string; decided: number; defaulted: number; open: number; decisions: number; bulkShare: number }

/**
 * Progress, per-reviewer load, decisions by kind, remediation states and signs of rubber-stamping. Every item
 * counts once, under its current reviewer, as decided by a person, decided by default (the campaign's default
 * decision at close) or open ("don't know" and unanswered): the reviewers' rows add up to the header's numbers.
 */
export async function campaignStats(ctx: UserCtx, id: string, opts: { reviewerPage?: number } = {}) {
  assertCan(ctx, 'campaign:read')
  const c = await getCampaignOrThrow(ctx, id)
  const scope = { campaignId: c.id, orgId: ctx.org.id }
  // By reviewer, decision, decider and recommendation in one pass over the campaign's covering index
  // (ReviewItem_campaign_stats_idx); the per-decision and per-reviewer figures are sums of its few groups.
  const [byAll, byRemediation, decisionsByUser, overdue] = await Promise.all([
    db.reviewItem.groupBy({ by: ['reviewerId', 'decision', 'decidedById', 'recommendation'], where: scope, _count: { _all: true } }),
    db.reviewItem.groupBy({ by: ['remediationStatus'], where: scope, _count: { _all: true } }),
    db.decision.groupBy({ by: ['decidedById', 'bulk'], where: { ...scope, decidedById: { not: null } }, _count: { _all: true } }),
    c.dueAt && c.dueAt.getTime() < Date.now() && c.status === 'active'
      ? db.reviewItem.count({ where: { ...scope, stage: c.currentStage, status: 'pending' } })
      : Promise.resolve(0),
  ])
  const decisions: Record<string, number> = {}
  for (const d of byAll) decisions[d.decision ?? 'none'] = (decisions[d.decision ?? 'none'] ?? 0) + d._count._all
  const total = byAll.reduce((n, d) => n + d._count._all, 0)
  const revokesRecommended = byAll.filter((d) => d.recommendation === 'revoke')
  const keptRevokes = revokesRecommended.filter((d) => d.decision === 'keep').reduce((n, d) => n + d._count._all, 0)
  const recRevokes = revokesRecommended.filter((d) => d.decision !== null).reduce((n, d) => n + d._count._all, 0)
  const decided = (decisions.keep ?? 0) + (decisions.revoke ?? 0) + (decisions.reduce ?? 0)

  const rows = new Map<string | null, ReviewerStats>()
  const rowOf = (rid: string | null) => {
    let r = rows.get(rid)
    if (!r) rows.set(rid, (r = { id: rid, name: '', decided: 0, defaulted: 0, open: 0, decisions: 0, bulkShare: 0 }))
    return r
  }
  for (const g of byAll) {
    const r = rowOf(g.reviewerId)
    const n = g._count._all
    if (!g.decision || !DECIDED.has(g.decision)) r.open += n
    else if (g.decidedById) r.decided += n
    else r.defaulted += n
  }
  for (const d of decisionsByUser) {
    const r = rowOf(d.decidedById)
    r.decisions += d._count._all
    if (d.bulk) r.bulkShare += d._count._all
  }
  const ids = [...rows.keys()].filter((x): x is string => !!x)
  const users = ids.length ? await db.user.findMany({ where: { id: { in: ids } }, select: { id: true, name: true } }) : []
  const nameOf = new Map(users.map((u) => [u.id, u.name]))
  const all = [...rows.values()]
    .map((r) => ({ ...r, name: r.id ? (nameOf.get(r.id) ?? 'Unknown') : 'No reviewer', bulkShare: r.decisions ? r.bulkShare / r.decisions : 0 }))
    .sort((a, b) => b.open - a.open || b.decided + b.defaulted - (a.decided + a.defaulted) || a.name.localeCompare(b.name))
  const defaulted = all.reduce((n, r) => n + r.defaulted, 0)
  const pages = Math.max(1, Math.ceil(all.length / REVIEWERS_PAGE_SIZE))
  const page = Math.min(Math.max(1, opts.reviewerPage ?? 1), pages)

  // Median time per decision, read in one sorted pass over a single indexed column.
  const timed = await db.decision.findMany({
    where: { ...scope, decidedById: { not: null }, elapsedMs: { not: null } },
    select: { elapsedMs: true },
    take: 200_000,
  })
  const allDecisions = decisionsByUser.reduce((n, d) => n + d._count._all, 0)
  const bulkDecisions = decisionsByUser.filter((d) => d.bulk).reduce((n, d) => n + d._count._all, 0)
  const medianMs = median(timed.map((t) => t.elapsedMs!))
  return {
    total,
    decided,
    defaulted,
    complete: total ? decided / total : 0,
    decisions,
    reviewers: all.slice((page - 1) * REVIEWERS_PAGE_SIZE, page * REVIEWERS_PAGE_SIZE),
    reviewerPage: page,
    reviewerPages: pages,
    reviewerCount: all.length,
    reviewerTotals: { decided: decided - defaulted, defaulted, open: total - decided },
    reviewerOptions: all
      .filter((r) => r.id)
      .map((r) => ({ id: r.id!, name: r.name }))
      .sort((a, b) => a.name.localeCompare(b.name)),
    overdue,
    remediation: Object.fromEntries(byRemediation.map((r) => [r.remediationStatus, r._count._all])) as Record<string, number>,
    rubberStamp: {
      medianSeconds: medianMs === null ? null : medianMs / 1000,
      bulkShare: allDecisions ? bulkDecisions / allDecisions : 0,
      recommendedRevokesKept: keptRevokes,
      recommendedRevokesDecided: recRevokes,
    },
  }
}

const ITEM_SELECT = {
  id: true,
  campaignId: true,
  identityId: true,
  identityName: true,
  snapshot: true,
  recommendation: true,
  recommendationReason: true,
  status: true,
  decision: true,
  justification: true,
  version: true,
  privileged: true,
  stage: true,
  firstDecision: true,
  escalatedAt: true,
  reduceGrantIds: true,
  remediationStatus: true,
  remediationError: true,
  decidedAt: true,
  reviewerId: true,
  campaign: { select: { name: true, type: true, justificationRule: true, dueAt: true } },
} satisfies Prisma.ReviewItemSelect

/** "My reviews": the signed-in reviewer's items, paged on the server. */
export async function listMyReviewItems(ctx: UserCtx, p: ReviewListParams) {
  assertCan(ctx, 'review:decide')
  const where = myItemsWhere(ctx, p)
  const orderBy: Prisma.ReviewItemOrderByWithRelationInput[] =
    p.view === 'identity' ? [{ identityName: 'asc' }, { id: 'asc' }] : [{ privileged: 'desc' }, { id: 'asc' }]
  const active = await db.campaign.findMany({
    where: { orgId: ctx.org.id, status: 'active' },
    orderBy: { dueAt: 'asc' },
    take: 50,
    select: { id: true, name: true, dueAt: true },
  })
  const [rows, total, open] = await Promise.all([
    db.reviewItem.findMany({ where, orderBy, ...pageWindow(p), select: ITEM_SELECT }),
    db.reviewItem.count({ where }),
    // One indexed count per active campaign (campaignId, reviewerId, status) rather than a group-by over every item.
    Promise.all(active.map((c) => db.reviewItem.count({ where: { campaignId: c.id, reviewerId: ctx.user.id, status: 'pending', orgId: ctx.org.id } }))),
  ])
  return {
    rows,
    total,
    campaigns: active.map((c, i) => ({ ...c, open: open[i] })).filter((c) => c.open > 0 || c.id === p.campaign),
  }
}

/** All items of one campaign (governance view), with their reviewers and remediation state. */
export async function listCampaignItems(ctx: Ctx, campaignId: string, p: Omit<CampaignItemsParams, 'rpage'>) {
  assertCan(ctx, 'campaign:read')
  const c = await getCampaignOrThrow(ctx, campaignId)
  const where: Prisma.ReviewItemWhereInput = {
    campaignId: c.id,
    orgId: ctx.org.id,
    ...(p.reviewer ? { reviewerId: p.reviewer } : {}),
    ...(p.decision ? { decision: p.decision === 'none' ? null : p.decision } : {}),
    ...(p.remediation ? { remediationStatus: p.remediation } : {}),
  }
  const [rows, total] = await Promise.all([
    db.reviewItem.findMany({ where, orderBy: [{ identityName: 'asc' }, { id: 'asc' }], ...pageWindow(p), select: ITEM_SELECT }),
    db.reviewItem.count({ where }),
  ])
  const users = await db.user.findMany({
    where: { id: { in: [...new Set(rows.map((r) => r.reviewerId).filter((x): x is string => !!x))] } },
    select: personSelect(ctx.org.id),
  })
  const byId = new Map(users.map((u) => [u.id, u]))
  return {
    rows: rows.map((r) => {
      const u = r.reviewerId ? byId.get(r.reviewerId) : undefined
      return { ...r, reviewerName: u?.name ?? null, reviewerStatus: u ? personStatus(u) : null }
    }),
    total,
  }
}
