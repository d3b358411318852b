import 'server-only'
import { assertCan, type Ctx, type UserCtx } from '@/lib/auth/org-context'
import { OWASP_CODES, SEVERITIES } from '@/lib/findings/rules'
import { IDENTITY_KINDS, IDENTITY_STATUSES } from '@/lib/inventory/schemas'
import { REMEDIATION_STATUSES } from '@/lib/remediation/schemas'
import { db } from '@/lib/db'
import { prismaSql } from '@/lib/sql/prisma'
import { getOrgSettings } from '@/lib/inventory/queries'
import { exchangeStats } from '@/lib/federation/queries'
import { leaseStats } from '@/lib/leases/queries'
import { computeOrgMetrics, saveSnapshot, type OrgMetrics } from '@/lib/metrics/compute'

const DAY = 86_400_000
/** Up to this many identities the dashboard counts live; above it, it reads the snapshot the jobs keep fresh. */
export const LIVE_LIMIT = 50_000
export const TREND_RANGES = [30, 90, 365] as const
export type TrendRange = (typeof TREND_RANGES)[number]
const REMEDIATION_SAMPLE = 1_000

export type TrendPoint = {
  day: string
  total: number
  unowned: number
  dormant: number
  overprivileged: number
  openFindings: number
  rotationCompliance: number | null
  shortLivedShare: number | null
}

function parseMetrics(json: string): OrgMetrics | null {
  try {
    const m = JSON.parse(json)
    return m && typeof m === 'object' && typeof m.total === 'number' ? (m as OrgMetrics) : null
  } catch {
    return null
  }
}

/** Headline metrics: live for small organizations, the latest real snapshot for large ones. */
async function currentMetrics(ctx: Ctx) {
  const latest = await db.metricSnapshot.findFirst({ where: { orgId: ctx.org.id }, orderBy: { day: 'desc' }, select: { metrics: true, takenAt: true } })
  const snap = latest ? parseMetrics(latest.metrics) : null
  if (snap && !snap.backfilled && snap.total > LIVE_LIMIT) return { metrics: snap, asOf: latest!.takenAt, live: false }
  const settings = await getOrgSettings(ctx)
  const now = Date.now()
  const metrics = await computeOrgMetrics(prismaSql(), ctx.org.id, settings, now)
  // A large organization without a usable snapshot pays for one count now; later visits read it.
  if (metrics.total > LIVE_LIMIT) await saveSnapshot(prismaSql(), ctx.org.id, metrics, now)
  return { metrics, asOf: new Date(now), live: true }
}

async function trend(ctx: UserCtx, range: TrendRange): Promise<TrendPoint[]> {
  const from = new Date(Date.now() - range * DAY).toISOString().slice(0, 10)
  const rows = await db.metricSnapshot.findMany({
    where: { orgId: ctx.org.id, day: { gte: from } },
    orderBy: { day: 'asc' },
    select: { day: true, metrics: true },
  })
  const points: TrendPoint[] = []
  for (const r of rows) {
    const m = parseMetrics(r.metrics)
    if (!m) continue
    points.push({
      day: r.day,
      total: m.total,
      unowned: m.unowned,
      dormant: m.dormant,
      overprivileged: m.overprivileged,
      openFindings: m.openFindings,
      rotationCompliance: m.rotationCompliance,
      shortLivedShare: m.shortLivedShare ?? null,
    })
  }
  return points
}

async function activeCampaigns(ctx: UserCtx) {
  return db.campaign.findMany({
    where: { orgId: ctx.org.id, status: { in: ['launching', 'active', 'closing'] } },
    orderBy: [{ dueAt: 'asc' }, { createdAt: 'desc' }],
    take: 6,
    select: { id: true, name: true, status: true, itemCount: true, decidedCount: true, dueAt: true },
  })
}

/** Hours from a reviewer's decision to the remediation job that applied it, over the most recent applied remediations. */
async function remediationTimes(ctx: Ctx) {
  const rems = await db.remediation.findMany({
    where: { orgId: ctx.org.id, status: 'applied', reviewItemId: { not: null }, jobId: { not: null } },
    orderBy: { updatedAt: 'desc' },
    take: REMEDIATION_SAMPLE,
    select: { reviewItemId: true, jobId: true },
  })
  if (rems.length === 0) return null
  const [items, jobs] = await Promise.all([
    db.reviewItem.findMany({
      where: { orgId: ctx.org.id, id: { in: rems.map((r) => r.reviewItemId!) }, decidedAt: { not: null } },
      select: { id: true, decidedAt: true },
    }),
    db.job.findMany({ where: { orgId: ctx.org.id, id: { in: rems.map((r) => r.jobId!) }, finishedAt: { not: null } }, select: { id: true, finishedAt: true } }),
  ])
  const decided = new Map(items.map((i) => [i.id, i.decidedAt!.getTime()]))
  const finished = new Map(jobs.map((j) => [j.id, j.finishedAt!.getTime()]))
  const hours = rems
    .map((r) => {
      const a = decided.get(r.reviewItemId!)
      const b = finished.get(r.jobId!)
      return a !== undefined && b !== undefined && b >= a ? (b - a) / 3_600_000 : null
    })
    .filter((h): h is number => h !== null)
    .sort((x, y) => x - y)
  if (hours.length === 0) return null
  const pick = (q: number) => hours[Math.min(hours.length - 1, Math.floor(q * hours.length))]
  return { count: hours.length, medianHours: pick(0.5), p90Hours: pick(0.9) }
}

export async function getDashboard(ctx: UserCtx, range: TrendRange) {
  assertCan(ctx, 'identity:read')
  const [current, points, campaigns, remediation, sources, exchanges, leases] = await Promise.all([
    currentMetrics(ctx),
    trend(ctx, range),
    activeCampaigns(ctx),
    remediationTimes(ctx),
    db.source.findMany({ where: { orgId: ctx.org.id }, select: { id: true, name: true } }),
    exchangeStats(ctx),
    leaseStats(ctx),
  ])
  return {
    ...current,
    trend: points,
    campaigns,
    remediation,
    exchanges,
    leases,
    sourceNames: Object.fromEntries(sources.map((s) => [s.id, s.name])) as Record<string, string>,
  }
}
export type Dashboard = Awaited<ReturnType<typeof getDashboard>>

/** Days of remediations the headline counts cover (each status counted on its own index range). */
export const REMEDIATION_WINDOW_DAYS = 30
/** Most active campaigns the headline lists with their completion. */
const ACTIVE_CAMPAIGNS = 50

const zeros = (keys: readonly string[]) => Object.fromEntries(keys.map((k) => [k, 0])) as Record<string, number>

/**
 * The dashboard's headline figures for the API, from the same sources as the dashboard and never by counting every
 * row: identities per kind and status from the IdentityFacet cells (kept by triggers), the dashboard's current metrics
 * (live up to LIVE_LIMIT identities, the daily snapshot above), open findings per severity and OWASP code from the
 * FindingCount cells, the active campaigns' completion, and remediations per status over the last
 * REMEDIATION_WINDOW_DAYS days (one index range each) with the dashboard's decision-to-applied times.
 */
export async function getHeadlineMetrics(ctx: Ctx) {
  assertCan(ctx, 'identity:read')
  const orgId = ctx.org.id
  const since = new Date(Date.now() - REMEDIATION_WINDOW_DAYS * DAY)
  const [current, facets, findingCells, campaigns, campaignStatuses, remediationCounts, times] = await Promise.all([
    currentMetrics(ctx),
    db.identityFacet.findMany({ where: { orgId, n: { gt: 0 } }, select: { kind: true, status: true, n: true } }),
    db.findingCount.findMany({ where: { orgId, status: 'open', n: { gt: 0 } }, select: { severity: true, owaspCode: true, n: true } }),
    db.campaign.findMany({
      where: { orgId, status: { in: ['launching', 'active', 'closing'] } },
      orderBy: [{ dueAt: 'asc' }, { id: 'asc' }],
      take: ACTIVE_CAMPAIGNS,
      select: { id: true, name: true, status: true, itemCount: true, decidedCount: true, dueAt: true },
    }),
    db.campaign.groupBy({ by: ['status'], where: { orgId }, _count: { _all: true } }),
    Promise.all(REMEDIATION_STATUSES.map((status) => db.remediation.count({ where: { orgId, status, createdAt: { gte: since } } }))),
    remediationTimes(ctx),
  ])
  const byKind = zeros(IDENTITY_KINDS)
  const byStatus = zeros(IDENTITY_STATUSES)
  for (const c of facets) {
    byStatus[c.status] = (byStatus[c.status] ?? 0) + c.n
    if (c.status !== 'deleted') byKind[c.kind] = (byKind[c.kind] ?? 0) + c.n
  }
  const bySeverity = zeros(SEVERITIES)
  const byCode = zeros(OWASP_CODES)
  for (const c of findingCells) {
    bySeverity[c.severity] = (bySeverity[c.severity] ?? 0) + c.n
    byCode[c.owaspCode] = (byCode[c.owaspCode] ?? 0) + c.n
  }
  const m = current.metrics
  return {
    asOf: current.asOf,
    live: current.live,
    identities: {
      total: Object.entries(byStatus).reduce((a, [k, n]) => (k === 'deleted' ? a : a + n), 0),
      byKind,
      byStatus,
      unowned: m.unowned,
      privileged: m.privileged,
      dormant: m.dormant,
      highRisk: m.highRisk,
    },
    credentials: { active: m.credentialsActive, rotationCompliance: m.rotationCompliance, unused: m.unusedCredentials },
    findings: { open: Object.values(bySeverity).reduce((a, b) => a + b, 0), bySeverity, byCode },
    campaigns: {
      byStatus: Object.fromEntries(campaignStatuses.map((g) => [g.status, g._count._all])) as Record<string, number>,
      active: campaigns.map((c) => ({ ...c, completion: c.itemCount ? Math.round((c.decidedCount / c.itemCount) * 1000) / 10 : null })),
    },
    remediations: {
      windowDays: REMEDIATION_WINDOW_DAYS,
      byStatus: Object.fromEntries(REMEDIATION_STATUSES.map((st, i) => [st, remediationCounts[i]])) as Record<string, number>,
      decisionToApplied: times,
    },
  }
}
