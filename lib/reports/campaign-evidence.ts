import 'server-only'
import { createHash } from 'node:crypto'
import { parseSnapshot } from '@/lib/campaigns/schemas'
import { db } from '@/lib/db'
import { ConflictError, NotFoundError } from '@/lib/errors'
import { prismaSql } from '@/lib/sql/prisma'
import { sql } from '@/lib/sql/sql'
import { csvLine, csvLines, type Cell } from './csv'
import { noIndex } from './inventory'
import { asDate, type TextSource } from './stream'

type Scope = { org: { id: string; slug: string; name: string } }
export type Generated = { at: Date; by: { name: string; email: string } }

const PAGE = 2_000

export const POPULATION_HASH_METHOD =
  'SHA-256 over one line per review item in item id order (byte order): item_id,identity_id,grant_id,credential_id then a newline (empty for none)'

export const ITEM_COLUMNS = [
  'item_id',
  'identity_id',
  'identity',
  'kind',
  'source',
  'entitlement',
  'credential',
  'privileged',
  'owner_at_launch',
  'reviewer',
  'reviewer_email',
  'stage',
  'first_decision',
  'decision',
  'decided_by',
  'decided_at',
  'justification',
  'recommendation',
  'recommendation_reason',
  'delegated_or_escalated_from',
  'remediation_jobs',
  'remediation_status',
  'remediation_completed_at',
] as const

export type ReportCampaign = Awaited<ReturnType<typeof getReportCampaignOrThrow>>

/** A campaign of this organization with evidence to give: another organization's id is simply not found. */
export async function getReportCampaignOrThrow(ctx: Scope, campaignId: string) {
  const c = await db.campaign.findFirst({ where: { id: campaignId, orgId: ctx.org.id } })
  if (!c) throw new NotFoundError('Campaign not found')
  if (!c.launchedAt || c.status === 'draft' || c.status === 'launching')
    throw new ConflictError(`“${c.name}” has not been launched yet: there is no evidence to download.`)
  return c
}

export type SodException = { itemId: string; identity: string; owner: string; decidedBy: string; decision: string; stage: number }

export type EvidenceSummary = {
  reviewers: { id: string; name: string; email: string; items: number }[]
  names: Map<string, { name: string; email: string }>
  population: { count: number; sha256: string }
  completeness: { population: number; decided: number; decidedByDefault: number; open: number; excluded: number; launched: number; addsUp: boolean }
  decisions: Record<'keep' | 'revoke' | 'reduce' | 'unsure', number>
  sod: SodException[]
  revokes: {
    total: number
    applied: number
    pending: number
    manual: number
    failed: number
    notRequested: number
    medianSeconds: number | null
    p95Seconds: number | null
    slowest: { itemId: string; identity: string; seconds: number } | null
  }
}

/** The nearest-rank percentile of sorted values. */
export function percentile(sorted: number[], p: number): number | null {
  if (!sorted.length) return null
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]
}

export function medianOf(sorted: number[]): number | null {
  if (!sorted.length) return null
  const m = Math.floor(sorted.length / 2)
  return sorted.length % 2 ? sorted[m] : (sorted[m - 1] + sorted[m]) / 2
}

async function usersByIds(ids: Iterable<string | null | undefined>) {
  const list = [...new Set([...ids].filter((x): x is string => !!x))]
  const out = new Map<string, { name: string; email: string }>()
  for (let i = 0; i < list.length; i += 5_000) {
    for (const u of await db.user.findMany({ where: { id: { in: list.slice(i, i + 5_000) } }, select: { id: true, name: true, email: true } }))
      out.set(u.id, { name: u.name, email: u.email })
  }
  return out
}

/**
 * The campaign's figures, in one pass over its items in id order (constant memory but for the exceptions list): the
 * population hash, completeness, decisions, separation-of-duties exceptions; then the revoke-to-applied times.
 */
export async function summarizeCampaign(ctx: Scope, c: ReportCampaign): Promise<EvidenceSummary> {
  const hash = createHash('sha256')
  let count = 0
  const completeness = { decided: 0, decidedByDefault: 0, open: 0, excluded: 0 }
  const decisions = { keep: 0, revoke: 0, reduce: 0, unsure: 0 }
  const perReviewer = new Map<string, number>()
  const sod: (Omit<SodException, 'owner' | 'decidedBy'> & { ownerId: string; deciderId: string })[] = []
  const rem = { total: 0, pending: 0, manual: 0, failed: 0, notRequested: 0 }
  // Its own query beside evidenceItems' (the walk is shared, itemPages): the figures need other columns, not the rows' joins.
  const pages = itemPages(ctx, c, (where) =>
    db.reviewItem.findMany({
      where,
      orderBy: { id: 'asc' },
      take: PAGE,
      select: {
        id: true,
        identityId: true,
        grantId: true,
        credentialId: true,
        status: true,
        decision: true,
        decidedById: true,
        reviewerId: true,
        stage: true,
        snapshot: true,
        identityName: true,
        remediationStatus: true,
        identity: { select: { ownerId: true } },
      },
    }),
  )
  for await (const page of pages) {
    for (const i of page) {
      hash.update(`${i.id},${i.identityId},${i.grantId ?? ''},${i.credentialId ?? ''}\n`)
      count++
      if (i.reviewerId) perReviewer.set(i.reviewerId, (perReviewer.get(i.reviewerId) ?? 0) + 1)
      if (i.decision) {
        completeness.decided++
        if (!i.decidedById) completeness.decidedByDefault++
        if (i.decision in decisions) decisions[i.decision as keyof typeof decisions]++
      } else if (i.status === 'closed') completeness.excluded++
      else completeness.open++
      if (i.decision === 'revoke' || i.decision === 'reduce') {
        rem.total++
        if (i.remediationStatus === 'pending') rem.pending++
        else if (i.remediationStatus === 'manual') rem.manual++
        else if (i.remediationStatus === 'failed') rem.failed++
        else if (i.remediationStatus === 'none') rem.notRequested++
      }
      // The decision in force made by the identity's own owner (at launch; the current owner for older snapshots).
      const snap = parseSnapshot(i.snapshot)
      const ownerId = snap && 'ownerId' in snap ? snap.ownerId : i.identity.ownerId
      if (i.decision && i.decidedById && ownerId && i.decidedById === ownerId)
        sod.push({ itemId: i.id, identity: i.identityName, ownerId, deciderId: i.decidedById, decision: i.decision, stage: i.stage })
    }
  }

  // Per item, the last applied remediation it asked for (a reduce may revoke several grants).
  const applied = await prismaSql().query<{ itemId: string; identityName: string; decidedAt: unknown; completedAt: unknown }>(sql`
    SELECT ri."id" AS "itemId", ri."identityName", ri."decidedAt", MAX(r."completedAt") AS "completedAt"
    FROM "ReviewItem" ri JOIN "Remediation" r ON r."reviewItemId" = ri."id" AND r."orgId" = ri."orgId"
    WHERE ri."campaignId" = ${c.id} AND ri."orgId" = ${ctx.org.id} AND ri."decision" IN ('revoke', 'reduce') AND ri."remediationStatus" = 'applied'
      AND r."status" = 'applied' AND r."completedAt" IS NOT NULL AND ri."decidedAt" IS NOT NULL
    GROUP BY ri."id", ri."identityName", ri."decidedAt"`)
  const times = applied
    .map((a) => ({
      itemId: a.itemId,
      identity: a.identityName,
      seconds: Math.max(0, (asDate(a.completedAt)!.getTime() - asDate(a.decidedAt)!.getTime()) / 1000),
    }))
    .sort((x, y) => x.seconds - y.seconds || (x.itemId < y.itemId ? -1 : 1))
  const secs = times.map((t) => t.seconds)

  const names = await usersByIds([
    ...perReviewer.keys(),
    c.fallbackReviewerId,
    c.signoffReviewerId,
    c.createdById,
    ...sod.flatMap((s) => [s.ownerId, s.deciderId]),
  ])
  const who = (id: string) => names.get(id)?.name ?? id
  const population = count
  return {
    reviewers: [...perReviewer.entries()]
      .map(([id, items]) => ({ id, items, name: names.get(id)?.name ?? id, email: names.get(id)?.email ?? '' }))
      .sort((a, b) => b.items - a.items || a.name.localeCompare(b.name)),
    names,
    population: { count, sha256: hash.digest('hex') },
    completeness: {
      population,
      ...completeness,
      launched: c.itemCount,
      addsUp: population === completeness.decided + completeness.open + completeness.excluded && population === c.itemCount,
    },
    decisions,
    sod: sod.map(({ ownerId, deciderId, ...s }) => ({ ...s, owner: who(ownerId), decidedBy: who(deciderId) })),
    revokes: {
      ...rem,
      applied: times.length,
      medianSeconds: medianOf(secs),
      p95Seconds: percentile(secs, 95),
      slowest: times.length ? times[times.length - 1] : null,
    },
  }
}

const STAGES: Record<string, string> = {
  none: 'one stage (owners decide)',
  privileged: 'two stages: privileged items need governance sign-off',
  revokes: 'two stages: revokes need governance sign-off',
  all: 'two stages: every item needs governance sign-off',
}

export function secondsText(s: number | null): string {
  if (s === null) return ''
  return String(Math.round(s))
}

/** The campaign's definition as field/value pairs (shared by the CSV and the PDF). */
export function definitionRows(ctx: Scope, c: ReportCampaign, s: EvidenceSummary, gen: Generated): [string, Cell][] {
  const name = (id: string | null) => (id ? (s.names.get(id)?.name ?? id) : '')
  return [
    ['organization', `${ctx.org.name} (${ctx.org.slug})`],
    ['generated_at', gen.at],
    ['generated_by', `${gen.by.name} <${gen.by.email}>`],
    ['campaign_id', c.id],
    ['campaign', c.name],
    ['description', c.description],
    ['type', c.type],
    ['status', c.status],
    ['scope', c.scope],
    ['stages', STAGES[c.secondStage] ?? c.secondStage],
    ['reviewers', s.reviewers.map((r) => `${r.name} (${r.items})`).join('; ')],
    ['fallback_reviewer', name(c.fallbackReviewerId)],
    ['signoff_reviewer', name(c.signoffReviewerId ?? (c.secondStage !== 'none' ? c.fallbackReviewerId : null))],
    ['created_by', name(c.createdById)],
    ['launched_at', c.launchedAt],
    ['due_at', c.dueAt],
    ['closed_at', c.closedAt],
    ['default_decision', c.defaultDecision],
    ['justification_rule', c.justificationRule],
    ['auto_remediate', c.autoRemediate],
    ['population_count', s.population.count],
    ['population_sha256', s.population.sha256],
    ['population_hash_method', POPULATION_HASH_METHOD],
  ]
}

/** The header sections of the evidence CSV: definition, completeness, decisions, exceptions, revoke times. */
export function summaryCsv(ctx: Scope, c: ReportCampaign, s: EvidenceSummary, gen: Generated): string {
  const k = s.completeness
  const r = s.revokes
  return (
    csvLine(['# Campaign evidence']) +
    csvLines([['field', 'value'], ...definitionRows(ctx, c, s, gen)]) +
    '\n' +
    csvLine(['# Completeness (population = decided + open + excluded)']) +
    csvLines([
      ['population', 'decided', 'decided_by_default', 'open', 'excluded', 'items_at_launch', 'adds_up'],
      [k.population, k.decided, k.decidedByDefault, k.open, k.excluded, k.launched, k.addsUp ? 'yes' : 'no'],
    ]) +
    '\n' +
    csvLine(['# Decisions']) +
    csvLines([
      ['keep', 'revoke', 'reduce', 'unsure'],
      [s.decisions.keep, s.decisions.revoke, s.decisions.reduce, s.decisions.unsure],
    ]) +
    '\n' +
    csvLine([`# Separation of duties exceptions (decision in force made by the identity's owner): ${s.sod.length}`]) +
    csvLines([
      ['item_id', 'identity', 'owner_at_launch', 'decided_by', 'decision', 'stage'],
      ...s.sod.map((e) => [e.itemId, e.identity, e.owner, e.decidedBy, e.decision, e.stage]),
    ]) +
    '\n' +
    csvLine(['# Revoke to applied (revoke and reduce decisions; seconds from the decision to the change applied)']) +
    csvLines([
      [
        'revokes',
        'applied',
        'pending',
        'manual',
        'failed',
        'not_requested',
        'median_seconds',
        'p95_seconds',
        'slowest_seconds',
        'slowest_item',
        'slowest_identity',
      ],
      [
        r.total,
        r.applied,
        r.pending,
        r.manual,
        r.failed,
        r.notRequested,
        secondsText(r.medianSeconds),
        secondsText(r.p95Seconds),
        secondsText(r.slowest?.seconds ?? null),
        r.slowest?.itemId,
        r.slowest?.identity,
      ],
    ]) +
    '\n' +
    csvLine(['# Items'])
  )
}

export type EvidenceItem = {
  id: string
  identityId: string
  identity: string
  kind: string
  source: string
  entitlement: string
  credential: string
  privileged: boolean
  ownerAtLaunch: string
  reviewer: string
  reviewerEmail: string
  stage: number
  firstDecision: string
  decision: string
  decidedBy: string
  decidedAt: Date | null
  justification: string
  recommendation: string
  recommendationReason: string
  delegatedFrom: string
  remediationJobs: string
  remediationStatus: string
  remediationCompletedAt: Date | null
}

/** A campaign's items in id order (the keyset walk both readers share), each page read by `read` from the rows after a key. */
async function* itemPages<T extends { id: string }>(
  ctx: Scope,
  c: ReportCampaign,
  read: (where: { campaignId: string; orgId: string; id: { gt: string } }) => Promise<T[]>,
): AsyncGenerator<T[]> {
  let after = ''
  for (;;) {
    const page = await read({ campaignId: c.id, orgId: ctx.org.id, id: { gt: after } })
    if (!page.length) return
    yield page
    if (page.length < PAGE) return
    after = page[page.length - 1].id
  }
}

/** The campaign's items in id order, a page at a time, with the names and remediations they refer to. */
export async function* evidenceItems(ctx: Scope, c: ReportCampaign): AsyncGenerator<EvidenceItem[]> {
  const pages = itemPages(ctx, c, (where) =>
    db.reviewItem.findMany({
      where,
      orderBy: { id: 'asc' },
      take: PAGE,
      select: {
        id: true,
        identityId: true,
        identityName: true,
        snapshot: true,
        privileged: true,
        reviewerId: true,
        stage: true,
        firstDecision: true,
        decision: true,
        decidedById: true,
        decidedAt: true,
        justification: true,
        recommendation: true,
        recommendationReason: true,
        escalatedAt: true,
        remediationStatus: true,
      },
    }),
  )
  for await (const page of pages) {
    const snaps = page.map((i) => parseSnapshot(i.snapshot))
    const [users, rems] = await Promise.all([
      usersByIds(page.flatMap((i, n) => [i.reviewerId, i.decidedById, snaps[n]?.reviewerId])),
      // Found through the identities' index (remediations have none on reviewItemId), then narrowed to these items.
      prismaSql().query<{ reviewItemId: string; jobId: string | null; id: string; completedAt: unknown }>(sql`
        SELECT r."reviewItemId", r."jobId", r."id", r."completedAt" FROM "Remediation" r
        WHERE r."identityId" ${sql.isIn([...new Set(page.map((i) => i.identityId))])} AND ${noIndex('r', 'orgId')} = ${ctx.org.id}
          AND r."reviewItemId" ${sql.isIn(page.map((i) => i.id))}
        ORDER BY r."createdAt", r."id"`),
    ])
    const remOf = new Map<string, { jobs: string[]; completedAt: Date | null }>()
    for (const r of rems) {
      const e = remOf.get(r.reviewItemId!) ?? { jobs: [], completedAt: null }
      e.jobs.push(r.jobId ?? `remediation ${r.id}`)
      const completedAt = asDate(r.completedAt)
      if (completedAt && (!e.completedAt || completedAt > e.completedAt)) e.completedAt = completedAt
      remOf.set(r.reviewItemId!, e)
    }
    const nameOf = (id: string | null | undefined) => (id ? (users.get(id)?.name ?? id) : '')
    yield page.map((i, n): EvidenceItem => {
      const snap = snaps[n]
      const rem = remOf.get(i.id)
      const launchReviewer = snap?.reviewerId
      let delegatedFrom = ''
      if (launchReviewer && launchReviewer !== i.reviewerId) {
        const from = nameOf(launchReviewer)
        delegatedFrom = i.stage === 2 ? `sign-off after stage 1 reviewer ${from}` : i.escalatedAt ? `escalated from ${from}` : `delegated from ${from}`
      } else if (i.escalatedAt) delegatedFrom = 'escalated (overdue)'
      const ent = snap?.entitlement
      const cred = snap?.credential
      return {
        id: i.id,
        identityId: i.identityId,
        identity: i.identityName || snap?.identity.name || '',
        kind: snap?.identity.kind ?? '',
        source: snap?.identity.source ?? '',
        entitlement: ent ? `${ent.name} on ${ent.resource}` : '',
        credential: cred ? [cred.kind, cred.label].filter(Boolean).join(' ') : '',
        privileged: i.privileged,
        ownerAtLaunch: snap?.owner ?? '',
        reviewer: nameOf(i.reviewerId),
        reviewerEmail: i.reviewerId ? (users.get(i.reviewerId)?.email ?? '') : '',
        stage: i.stage,
        firstDecision: i.firstDecision ?? '',
        decision: i.decision ?? '',
        decidedBy: i.decision ? (i.decidedById ? nameOf(i.decidedById) : 'default decision') : '',
        decidedAt: i.decidedAt,
        justification: i.justification ?? '',
        recommendation: i.recommendation ?? '',
        recommendationReason: i.recommendationReason ?? '',
        delegatedFrom,
        remediationJobs: rem ? rem.jobs.join(' ') : '',
        remediationStatus: i.remediationStatus,
        remediationCompletedAt: rem?.completedAt ?? null,
      }
    })
  }
}

export function itemCells(i: EvidenceItem): Cell[] {
  return [
    i.id,
    i.identityId,
    i.identity,
    i.kind,
    i.source,
    i.entitlement,
    i.credential,
    i.privileged,
    i.ownerAtLaunch,
    i.reviewer,
    i.reviewerEmail,
    i.stage,
    i.firstDecision,
    i.decision,
    i.decidedBy,
    i.decidedAt,
    i.justification,
    i.recommendation,
    i.recommendationReason,
    i.delegatedFrom,
    i.remediationJobs,
    i.remediationStatus,
    i.remediationCompletedAt,
  ]
}

/** The evidence CSV: summary sections, then one row per item. */
export async function* campaignEvidenceCsv(ctx: Scope, c: ReportCampaign, s: EvidenceSummary, gen: Generated): TextSource {
  yield summaryCsv(ctx, c, s, gen) + csvLine(ITEM_COLUMNS)
  for await (const page of evidenceItems(ctx, c)) yield csvLines(page.map(itemCells))
}
