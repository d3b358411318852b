import 'server-only'
import type { Prisma } from '@/lib/generated/sqlite/client'
import { recordAudit } from '@/lib/audit/record'
import { assertCan, systemContext, type UserCtx } from '@/lib/auth/org-context'
import { db, type Tx } from '@/lib/db'
import { ConflictError, ForbiddenError, NotFoundError, ValidationError } from '@/lib/errors'
import { insertRows, newId } from '@/lib/sql/bulk'
import { prismaSql } from '@/lib/sql/prisma'
import { chunks, sql } from '@/lib/sql/sql'
import { myItemsWhere, refreshDecidedCount, UPDATE_CHUNK } from './internal'
import { remediateItems } from './remediate'
import { DECISION_LABELS, needsJustification, parseSnapshot, type BulkDecideInput, type DecideInput, type DecisionKind } from './schemas'

const CHUNK = 5000
const MAX_ELAPSED = 3_600_000
// Column lists of a bulk insert are each table's own (launch.ts lists ReviewItem's): alike by shape only.
const DECISION_COLUMNS = [
  ['id', 'text'],
  ['orgId', 'text'],
  ['campaignId', 'text'],
  ['reviewItemId', 'text'],
  ['decision', 'text'],
  ['decidedById', 'text'],
  ['justification', 'text'],
  ['bulk', 'bool'],
  ['stage', 'int'],
  ['elapsedMs', 'int'],
  ['createdAt', 'date'],
] as const
const FINAL = new Set(['keep', 'revoke', 'reduce'])

/** Seconds spent on a decision: since the item was first viewed or the reviewer's previous decision, whichever is later. */
async function elapsedSince(tx: Tx, ctx: UserCtx, firstViewedAt: Date | null, now: number) {
  const prev = await tx.decision.findFirst({
    where: { orgId: ctx.org.id, decidedById: ctx.user.id },
    orderBy: { createdAt: 'desc' },
    select: { createdAt: true },
  })
  const since = Math.max(firstViewedAt?.getTime() ?? 0, prev?.createdAt.getTime() ?? 0)
  return since ? Math.min(MAX_ELAPSED, Math.max(0, now - since)) : null
}

/** The status an item takes for a decision: "don't know" keeps it open (the default decision applies at close). */
const statusFor = (d: string) => (FINAL.has(d) ? 'decided' : 'pending')

/** Items a bulk decision's audit row names (the rest are counted): enough to read, bounded for the row's size. */
const AUDIT_NAMED = 50

/** What the reviewer decided on, by name beside the ids (from the frozen snapshot), for the audit row. */
function itemSubject(item: { identityId: string; identityName: string; grantId: string | null; credentialId: string | null; snapshot: string }) {
  const snap = parseSnapshot(item.snapshot)
  const e = snap?.entitlement
  const cr = snap?.credential
  return {
    identity: { id: item.identityId, name: snap?.identity.name ?? item.identityName },
    ...(item.grantId ? { grant: { id: item.grantId, name: e ? `${e.name} on ${e.resource}` : item.grantId } } : {}),
    ...(item.credentialId ? { credential: { id: item.credentialId, name: cr ? (cr.label ?? cr.kind) : item.credentialId } } : {}),
  }
}

function grantNames(snapshot: string, ids: string[]) {
  const grants = parseSnapshot(snapshot)?.grants ?? []
  return ids.slice(0, AUDIT_NAMED).map((id) => {
    const g = grants.find((x) => x.id === id)
    return { id, name: g ? `${g.name} on ${g.resource}` : id }
  })
}

/**
 * Records one decision. The reviewer sends the version they saw: if someone (another tab, a reassignment, an
 * admin) changed the item since, nothing is written and the conflict names the current decision.
 */
export async function decideItem(ctx: UserCtx, input: DecideInput) {
  assertCan(ctx, 'review:decide')
  const item = await db.reviewItem.findFirst({
    where: { id: input.itemId, orgId: ctx.org.id },
    include: {
      campaign: {
        select: { id: true, name: true, type: true, status: true, currentStage: true, justificationRule: true, autoRemediate: true, secondStage: true },
      },
    },
  })
  if (!item) throw new NotFoundError('Review item not found')
  // Only the assigned reviewer decides; admins reassign rather than decide for someone else.
  if (item.reviewerId !== ctx.user.id) throw new ForbiddenError('This item is assigned to another reviewer.')
  const c = item.campaign
  if (c.status === 'launching' || item.status === 'staged') throw new ConflictError('This campaign is still launching: try again in a moment.')
  if (c.status !== 'active' || item.status === 'closed' || item.stage !== c.currentStage)
    throw new ConflictError('This review stage has closed: decisions are locked.')
  if (item.remediationStatus !== 'none') throw new ConflictError('This revoke is already being applied: the decision can no longer change.')
  if (justificationMissing(c.justificationRule, input.decision, item.privileged, input.justification)) {
    throw new ValidationError('This decision needs a justification.', { justification: ['Say why (the campaign asks for a justification here)'] })
  }
  let reduceGrantIds: string | null = null
  if (input.decision === 'reduce') {
    const snapshot = parseSnapshot(item.snapshot)
    const known = new Set((snapshot?.grants ?? []).map((g) => g.id))
    const picked = [...new Set(input.reduceGrantIds ?? [])]
    if (c.type !== 'identity') throw new ValidationError('Reduce applies to identity attestation items; revoke the grant instead.')
    if (!picked.length || picked.some((g) => !known.has(g)))
      throw new ValidationError('Pick the grants to drop.', { reduceGrantIds: ['Pick at least one of the listed grants'] })
    reduceGrantIds = JSON.stringify(picked)
  }
  const now = Date.now()
  const status = statusFor(input.decision)
  const result = await db.$transaction(async (tx) => {
    const updated = await tx.reviewItem.updateMany({
      where: { id: item.id, orgId: ctx.org.id, version: input.version, reviewerId: ctx.user.id, status: { not: 'closed' } },
      data: {
        decision: input.decision,
        status,
        decidedById: ctx.user.id,
        decidedAt: new Date(now),
        justification: input.justification,
        reduceGrantIds,
        version: { increment: 1 },
      },
    })
    if (updated.count !== 1) return null
    const delta = Number(status === 'decided') - Number(item.status === 'decided')
    if (delta) await tx.campaign.update({ where: { id: c.id, orgId: ctx.org.id }, data: { decidedCount: { increment: delta } } })
    await tx.decision.create({
      data: {
        orgId: ctx.org.id,
        campaignId: c.id,
        reviewItemId: item.id,
        decision: input.decision,
        decidedById: ctx.user.id,
        justification: input.justification,
        stage: item.stage,
        elapsedMs: await elapsedSince(tx, ctx, item.firstViewedAt, now),
      },
    })
    await recordAudit(tx, ctx, {
      action: 'review.decide',
      targetType: 'review_item',
      targetId: item.id,
      targetLabel: item.identityName,
      justification: input.justification,
      details: {
        campaignId: c.id,
        campaign: c.name,
        decision: input.decision,
        previous: item.decision,
        ...itemSubject(item),
        reduceGrantIds: input.reduceGrantIds ?? undefined,
        ...(reduceGrantIds ? { reducedGrants: grantNames(item.snapshot, input.reduceGrantIds ?? []) } : {}),
      },
    })
    return { id: item.id, decision: input.decision, version: input.version + 1, status }
  })
  if (!result) {
    const current = await db.reviewItem.findFirst({
      where: { id: item.id, orgId: ctx.org.id },
      select: { decision: true, decidedAt: true, version: true, decidedById: true },
    })
    const who = current?.decidedById ? (await db.user.findUnique({ where: { id: current.decidedById }, select: { name: true } }))?.name : null
    const label = current?.decision ? (DECISION_LABELS[current.decision as DecisionKind] ?? current.decision) : 'no decision'
    throw new ConflictError(`This item changed while you were deciding: it is now “${label}”${who ? ` by ${who}` : ''}. Review it and decide again.`)
  }
  if (c.autoRemediate && c.secondStage === 'none' && (input.decision === 'revoke' || input.decision === 'reduce')) {
    // The campaign's rule acts, as the system: the reviewer asked for a decision, not for a remediation.
    await remediateItems(systemContext(ctx.org, { type: 'auto_remediate', id: c.id }), c.type, [
      { ...item, decision: input.decision, reduceGrantIds, justification: input.justification },
    ])
  }
  return result
}

/**
 * Whether a decision satisfies the campaign's justification rule. Every path to a decision (single, keyboard,
 * bulk, accepting recommendations) goes through here, so the rule lives in the domain, not in a form.
 */
function justificationMissing(rule: string, decision: string, privileged: boolean, justification: string | null | undefined) {
  return needsJustification(rule, decision, privileged) && !justification?.trim()
}

type BulkPlanItem = { id: string; campaignId: string; stage: number; privileged: boolean; identityName: string; decision: string; autoRemediate: boolean }

/**
 * Decides many of the reviewer's own items at once: selected ids or everything matching the filter. "accept"
 * applies each item's recommendation. The whole selection is planned and checked against each campaign's
 * justification rule before anything is written; then one Decision row per item (marked bulk) and one audit
 * row per chunk, each chunk in its own transaction.
 */
export async function bulkDecide(ctx: UserCtx, input: BulkDecideInput) {
  assertCan(ctx, 'review:decide')
  // Explicit ids go UPDATE_CHUNK at a time, in id order as one list would: 5,000 in one IN list exceed the bind limit Prisma applies on SQLite.
  const scopes: Prisma.ReviewItemWhereInput[] = input.ids?.length
    ? chunks([...new Set(input.ids)].sort(), UPDATE_CHUNK).map((ids) => ({ AND: [myItemsWhere(ctx, { state: 'all' }), { id: { in: ids } }] }))
    : [myItemsWhere(ctx, input.filter!)]
  const now = Date.now()
  const plan: BulkPlanItem[] = []
  let skipped = 0
  let missing = 0
  const missingByDecision: Record<string, number> = {}
  for (const where of scopes) {
    let after = ''
    for (;;) {
      const items = await db.reviewItem.findMany({
        where: { AND: [where, { id: { gt: after } }, { remediationStatus: 'none' }] },
        orderBy: { id: 'asc' },
        take: CHUNK,
        select: {
          id: true,
          privileged: true,
          recommendation: true,
          identityName: true,
          campaignId: true,
          stage: true,
          campaign: { select: { status: true, justificationRule: true, currentStage: true, autoRemediate: true, secondStage: true } },
        },
      })
      if (!items.length) break
      after = items[items.length - 1].id
      for (const i of items) {
        const decision = input.decision === 'accept' ? i.recommendation : input.decision
        if (!decision || i.campaign.status !== 'active' || i.stage !== i.campaign.currentStage) {
          skipped++
          continue
        }
        if (justificationMissing(i.campaign.justificationRule, decision, i.privileged, input.justification)) {
          missing++
          missingByDecision[decision] = (missingByDecision[decision] ?? 0) + 1
        }
        plan.push({
          id: i.id,
          campaignId: i.campaignId,
          stage: i.stage,
          privileged: i.privileged,
          identityName: i.identityName,
          decision,
          autoRemediate: i.campaign.autoRemediate && i.campaign.secondStage === 'none',
        })
      }
    }
  }
  if (missing) {
    const what = Object.entries(missingByDecision)
      .map(([d, n]) => `${n} “${DECISION_LABELS[d as DecisionKind] ?? d}”`)
      .join(' and ')
    throw new ValidationError(`${missing} of these items need a justification (${what}): the campaign asks for one. Nothing was decided.`, {
      justification: ['Say why: it applies to every item in this bulk decision'],
    })
  }
  const justificationOf = (d: string) => input.justification ?? (input.decision === 'accept' ? `Accepted the recommendation to ${d}` : null)
  const touched = new Set<string>()
  const autoRemediate: { campaignId: string; ids: string[] }[] = []
  for (let c = 0; c < plan.length; c += CHUNK) {
    const chunk = plan.slice(c, c + CHUNK)
    await db.$transaction(async (tx) => {
      const prev = await tx.decision.findFirst({
        where: { orgId: ctx.org.id, decidedById: ctx.user.id },
        orderBy: { createdAt: 'desc' },
        select: { createdAt: true },
      })
      const each = prev ? Math.min(MAX_ELAPSED, Math.round((now - prev.createdAt.getTime()) / chunk.length)) : null
      // One UPDATE per decision and one multi-row INSERT, ids and rows as one JSON parameter (Prisma's updateMany
      // reads the ids first and binds them one by one).
      const s = prismaSql(tx)
      for (const d of ['keep', 'revoke', 'unsure']) {
        const ids = chunk.filter((p) => p.decision === d).map((p) => p.id)
        if (!ids.length) continue
        await s.execute(
          sql`UPDATE "ReviewItem" SET "decision" = ${d}, "status" = ${statusFor(d)}, "decidedById" = ${ctx.user.id}, "decidedAt" = ${new Date(now)},
            "justification" = ${justificationOf(d)}, "reduceGrantIds" = NULL, "version" = "version" + 1
            WHERE "id" IN ${sql.ids(ids)} AND "orgId" = ${ctx.org.id} AND "reviewerId" = ${ctx.user.id} AND "status" <> 'closed'`,
        )
      }
      const created = new Date()
      await insertRows(
        s,
        'Decision',
        DECISION_COLUMNS,
        chunk.map((p) => [newId(), ctx.org.id, p.campaignId, p.id, p.decision, ctx.user.id, justificationOf(p.decision), true, p.stage, each, created]),
      )
      const counts: Record<string, number> = {}
      for (const p of chunk) counts[p.decision] = (counts[p.decision] ?? 0) + 1
      await recordAudit(tx, ctx, {
        action: 'review.bulk-decide',
        targetType: 'review_item',
        targetLabel: `${chunk.length} items`,
        justification: input.justification ?? (input.decision === 'accept' ? 'Accepted the recommendations' : null),
        details: {
          decision: input.decision,
          counts,
          ids: chunk.slice(0, 100).map((p) => p.id),
          items: chunk.slice(0, AUDIT_NAMED).map((p) => ({ id: p.id, identity: p.identityName, decision: p.decision })),
          byFilter: !input.ids?.length,
        },
      })
    })
    for (const p of chunk) {
      touched.add(p.campaignId)
      if (p.decision === 'revoke' && p.autoRemediate) {
        const bucket = autoRemediate.find((b) => b.campaignId === p.campaignId)
        if (bucket) bucket.ids.push(p.id)
        else autoRemediate.push({ campaignId: p.campaignId, ids: [p.id] })
      }
    }
  }
  for (const campaignId of touched) await refreshDecidedCount(ctx, campaignId)
  for (const b of autoRemediate) {
    const c = await db.campaign.findUniqueOrThrow({ where: { id: b.campaignId, orgId: ctx.org.id }, select: { type: true } })
    for (let s = 0; s < b.ids.length; s += CHUNK) {
      const items = await db.reviewItem.findMany({
        where: { id: { in: b.ids.slice(s, s + CHUNK) }, orgId: ctx.org.id },
        select: { id: true, decision: true, identityId: true, grantId: true, credentialId: true, reduceGrantIds: true, justification: true },
      })
      await remediateItems(systemContext(ctx.org, { type: 'auto_remediate', id: b.campaignId }), c.type, items)
    }
  }
  return { decided: plan.length, skipped }
}

/** Notes when a reviewer first saw items (the start of "time spent" for rubber-stamp detection). */
export async function markViewed(ctx: UserCtx, ids: string[]) {
  assertCan(ctx, 'review:decide')
  if (!ids.length) return { marked: 0 }
  const r = await db.reviewItem.updateMany({
    where: { id: { in: ids.slice(0, CHUNK) }, orgId: ctx.org.id, reviewerId: ctx.user.id, firstViewedAt: null },
    data: { firstViewedAt: new Date() },
  })
  return { marked: r.count }
}
