import 'server-only'
import { emitEvent, emitEvents } from '@/lib/webhooks/emit'
import type { Prisma } from '@/lib/generated/sqlite/client'
import { recordAudit } from '@/lib/audit/record'
import { allows, assertCan, systemContext, type PersonCtx, type UserCtx } from '@/lib/auth/org-context'
import { can } from '@/lib/auth/permissions'
import { db, type Tx } from '@/lib/db'
import { ConflictError, ForbiddenError, NotFoundError, ValidationError, type AppError } from '@/lib/errors'
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

/** Why a decision is refused, as a short code for the API's per-item results, and the error the browser shows. */
export type DecisionRefusal = { reason: 'not_yours' | 'launching' | 'locked' | 'remediating' | 'justification_required' | 'invalid_reduce'; error: AppError }

type CheckedItem = {
  reviewerId: string | null
  status: string
  stage: number
  remediationStatus: string
  privileged: boolean
  snapshot: string
  campaign: { status: string; currentStage: number; justificationRule: string; type: string }
}

/**
 * The rules every decision meets, whichever path it comes by (one item in the browser, the API's batch): the item is
 * the person's (or the caller may decide any, see decideItemsAs), its stage is open, no revoke is being applied, the
 * campaign's justification rule is met, a reduce names grants of the item. Returns the refusal, or what to store.
 */
function decisionCheck(
  item: CheckedItem,
  input: { decision: string; justification: string | null | undefined; reduceGrantIds?: string[] },
  who: { userId: string; anyReviewer: boolean },
): { refused: DecisionRefusal } | { reduceGrantIds: string | null } {
  const refuse = (reason: DecisionRefusal['reason'], error: AppError) => ({ refused: { reason, error } })
  // Only the assigned reviewer decides; admins reassign rather than decide for someone else.
  if (item.reviewerId !== who.userId && !who.anyReviewer) return refuse('not_yours', new ForbiddenError('This item is assigned to another reviewer.'))
  const c = item.campaign
  if (c.status === 'launching') return refuse('launching', new ConflictError('This campaign is still launching: try again in a moment.'))
  if (c.status !== 'active' || item.status === 'closed' || item.stage !== c.currentStage)
    return refuse('locked', new ConflictError('This review stage has closed: decisions are locked.'))
  if (item.remediationStatus !== 'none')
    return refuse('remediating', new ConflictError('This revoke is already being applied: the decision can no longer change.'))
  if (justificationMissing(c.justificationRule, input.decision, item.privileged, input.justification)) {
    return refuse(
      'justification_required',
      new ValidationError('This decision needs a justification.', { justification: ['Say why (the campaign asks for a justification here)'] }),
    )
  }
  if (input.decision !== 'reduce') return { reduceGrantIds: null }
  const snapshot = parseSnapshot(item.snapshot)
  const known = new Set((snapshot?.grants ?? []).map((g) => g.id))
  const picked = [...new Set(input.reduceGrantIds ?? [])]
  if (c.type !== 'identity') return refuse('invalid_reduce', new ValidationError('Reduce applies to identity attestation items; revoke the grant instead.'))
  if (!picked.length || picked.some((g) => !known.has(g)))
    return refuse('invalid_reduce', new ValidationError('Pick the grants to drop.', { reduceGrantIds: ['Pick at least one of the listed grants'] }))
  return { reduceGrantIds: JSON.stringify(picked) }
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
  const check = decisionCheck(item, input, { userId: ctx.user.id, anyReviewer: false })
  if ('refused' in check) throw check.refused.error
  const { reduceGrantIds } = check
  const c = item.campaign
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
    await emitEvent(tx, ctx.org.id, 'decision.made', {
      campaign: { id: c.id, name: c.name },
      reviewItemId: item.id,
      ...itemSubject(item),
      decision: input.decision,
      previous: item.decision,
      decidedBy: { id: ctx.user.id, name: ctx.user.name },
      justification: input.justification ?? null,
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

type BulkPlanItem = {
  id: string
  campaignId: string
  stage: number
  privileged: boolean
  identityName: string
  decision: string
  autoRemediate: boolean
  /** an accepted "reduce": the grants the recommendation suggested (JSON list), as the reviewer's pick */
  reduceGrantIds?: string
}

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
  // An accepted "reduce" drops the grants its recommendation suggested (gateway grants unused within the window).
  const reducing = plan.filter((p) => p.decision === 'reduce')
  for (let c = 0; c < reducing.length; c += CHUNK) {
    const part = reducing.slice(c, c + CHUNK)
    const snaps = await db.reviewItem.findMany({ where: { id: { in: part.map((p) => p.id) }, orgId: ctx.org.id }, select: { id: true, snapshot: true } })
    const byId = new Map(snaps.map((x) => [x.id, parseSnapshot(x.snapshot)?.suggestedReduce ?? []]))
    for (const p of part) {
      const picked = byId.get(p.id) ?? []
      if (picked.length) p.reduceGrantIds = JSON.stringify(picked)
    }
  }
  const unplannable = new Set(reducing.filter((p) => !p.reduceGrantIds).map((p) => p.id))
  if (unplannable.size) {
    skipped += unplannable.size
    plan.splice(0, plan.length, ...plan.filter((p) => !unplannable.has(p.id)))
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
            WHERE "id" ${sql.isIn(ids)} AND "orgId" = ${ctx.org.id} AND "reviewerId" = ${ctx.user.id} AND "status" <> 'closed'`,
        )
      }
      for (const p of chunk.filter((x) => x.decision === 'reduce'))
        await s.execute(
          sql`UPDATE "ReviewItem" SET "decision" = 'reduce', "status" = ${statusFor('reduce')}, "decidedById" = ${ctx.user.id}, "decidedAt" = ${new Date(now)},
            "justification" = ${justificationOf('reduce')}, "reduceGrantIds" = ${p.reduceGrantIds ?? null}, "version" = "version" + 1
            WHERE "id" = ${p.id} AND "orgId" = ${ctx.org.id} AND "reviewerId" = ${ctx.user.id} AND "status" <> 'closed'`,
        )
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
      await emitEvents(
        tx,
        ctx.org.id,
        'decision.made',
        chunk.map((p) => ({
          campaign: { id: p.campaignId },
          reviewItemId: p.id,
          identity: { name: p.identityName },
          decision: p.decision,
          decidedBy: { id: ctx.user.id, name: ctx.user.name },
          justification: justificationOf(p.decision),
          bulk: true,
        })),
      )
    })
    for (const p of chunk) {
      touched.add(p.campaignId)
      if ((p.decision === 'revoke' || p.decision === 'reduce') && p.autoRemediate) {
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

/** Most decisions one call of decideItemsAs takes (the API's batch). */
export const MAX_DECISIONS_PER_CALL = 500
/** Items per transaction and per audit row of decideItemsAs (each named in the row with its justification). */
const AS_CHUNK = 50

export type DecisionEntry = { itemId: string; decision: DecisionKind; justification: string | null; reduceGrantIds?: string[] }
export type DecisionResult =
  | { itemId: string; result: 'decided'; decision: DecisionKind; version: number }
  | { itemId: string; result: 'refused'; reason: DecisionRefusal['reason'] | 'not_found' | 'duplicate' | 'changed'; detail: string }

/**
 * Decisions on many items of one campaign, each with its own decision and justification, answered item by item (the
 * API's batch). Each item meets the same rules as a decision in the browser (decisionCheck); a refused item changes
 * nothing and the others still go ahead. The person of record (ctx.user: the member, or a token's creator) is the
 * reviewer who decided: only their own items, unless the caller manages campaigns — a token with campaign:manage
 * whose creator's role also manages campaigns may decide any reviewer's item (governance acting for a reviewer; the
 * audit row names whose item it was). Decision rows are marked bulk, without a time spent.
 */
export async function decideItemsAs(ctx: PersonCtx, campaignId: string, entries: DecisionEntry[]): Promise<DecisionResult[]> {
  assertCan(ctx, 'review:decide')
  const role = 'role' in ctx ? ctx.role : ctx.personRole
  if (!can(role, 'review:decide'))
    throw new ForbiddenError(`${ctx.user.name} may not review (their role is ${role}), so they cannot be the reviewer of record.`)
  if (entries.length > MAX_DECISIONS_PER_CALL) throw new ValidationError(`At most ${MAX_DECISIONS_PER_CALL} decisions at once.`)
  const anyReviewer = ctx.actor.type === 'api_token' && allows(ctx, 'campaign:manage') && can(role, 'campaign:manage')
  const c = await db.campaign.findFirst({
    where: { id: campaignId, orgId: ctx.org.id },
    select: { id: true, name: true, type: true, status: true, currentStage: true, justificationRule: true, autoRemediate: true, secondStage: true },
  })
  if (!c) throw new NotFoundError('Campaign not found')
  const ids = [...new Set(entries.map((e) => e.itemId))]
  const items = new Map<string, Awaited<ReturnType<typeof loadItems>>[number]>()
  function loadItems(chunk: string[]) {
    return db.reviewItem.findMany({
      where: { id: { in: chunk }, orgId: ctx.org.id, campaignId: c!.id },
      select: {
        id: true,
        reviewerId: true,
        status: true,
        stage: true,
        remediationStatus: true,
        privileged: true,
        snapshot: true,
        decision: true,
        version: true,
        identityId: true,
        identityName: true,
        grantId: true,
        credentialId: true,
      },
    })
  }
  for (const chunk of chunks(ids, UPDATE_CHUNK)) for (const i of await loadItems(chunk)) items.set(i.id, i)

  const results = new Map<number, DecisionResult>()
  const planned: { index: number; entry: DecisionEntry; reduceGrantIds: string | null }[] = []
  const seen = new Set<string>()
  entries.forEach((entry, index) => {
    const item = items.get(entry.itemId)
    const refuse = (reason: Extract<DecisionResult, { result: 'refused' }>['reason'], detail: string) =>
      results.set(index, { itemId: entry.itemId, result: 'refused', reason, detail })
    if (seen.has(entry.itemId)) return refuse('duplicate', 'This item is named earlier in the same call: only the first decision counts.')
    seen.add(entry.itemId)
    if (!item) return refuse('not_found', 'No such item in this campaign.')
    const check = decisionCheck({ ...item, campaign: c }, entry, { userId: ctx.user.id, anyReviewer })
    if ('refused' in check) return refuse(check.refused.reason, check.refused.error.message)
    planned.push({ index, entry, reduceGrantIds: check.reduceGrantIds })
  })

  const decided: (typeof planned)[number][] = []
  for (let s = 0; s < planned.length; s += AS_CHUNK) {
    const chunk = planned.slice(s, s + AS_CHUNK)
    const now = new Date()
    await db.$transaction(async (tx) => {
      const done: (typeof planned)[number][] = []
      let delta = 0
      for (const p of chunk) {
        const item = items.get(p.entry.itemId)!
        const status = statusFor(p.entry.decision)
        // The item as it was read: a reviewer who decided it, or a reassignment, since then wins.
        const updated = await tx.reviewItem.updateMany({
          where: { id: item.id, orgId: ctx.org.id, version: item.version, reviewerId: item.reviewerId, status: { not: 'closed' }, remediationStatus: 'none' },
          data: {
            decision: p.entry.decision,
            status,
            decidedById: ctx.user.id,
            decidedAt: now,
            justification: p.entry.justification,
            reduceGrantIds: p.reduceGrantIds,
            version: { increment: 1 },
          },
        })
        if (updated.count !== 1) {
          results.set(p.index, {
            itemId: item.id,
            result: 'refused',
            reason: 'changed',
            detail: 'This item changed while the decisions were being recorded: read it again and decide again.',
          })
          continue
        }
        delta += Number(status === 'decided') - Number(item.status === 'decided')
        done.push(p)
      }
      if (!done.length) return
      if (delta) await tx.campaign.update({ where: { id: c.id, orgId: ctx.org.id }, data: { decidedCount: { increment: delta } } })
      await tx.decision.createMany({
        data: done.map((p) => ({
          orgId: ctx.org.id,
          campaignId: c.id,
          reviewItemId: p.entry.itemId,
          decision: p.entry.decision,
          decidedById: ctx.user.id,
          justification: p.entry.justification,
          bulk: true,
          stage: items.get(p.entry.itemId)!.stage,
          createdAt: now,
        })),
      })
      const counts: Record<string, number> = {}
      for (const p of done) counts[p.entry.decision] = (counts[p.entry.decision] ?? 0) + 1
      await recordAudit(tx, ctx, {
        action: 'review.bulk-decide',
        targetType: 'campaign',
        targetId: c.id,
        targetLabel: c.name,
        details: {
          campaignId: c.id,
          decidedBy: { id: ctx.user.id, name: ctx.user.name },
          counts,
          items: done.map((p) => {
            const item = items.get(p.entry.itemId)!
            return {
              id: item.id,
              identity: item.identityName,
              decision: p.entry.decision,
              previous: item.decision,
              justification: p.entry.justification,
              ...(p.reduceGrantIds ? { reducedGrants: grantNames(item.snapshot, p.entry.reduceGrantIds ?? []) } : {}),
              // Decided in place of the assigned reviewer (governance through a token with campaign:manage).
              ...(item.reviewerId !== ctx.user.id ? { reviewerId: item.reviewerId } : {}),
            }
          }),
        },
      })
      await emitEvents(
        tx,
        ctx.org.id,
        'decision.made',
        done.map((p) => {
          const item = items.get(p.entry.itemId)!
          return {
            campaign: { id: c.id, name: c.name },
            reviewItemId: item.id,
            identity: { name: item.identityName },
            decision: p.entry.decision,
            previous: item.decision,
            decidedBy: { id: ctx.user.id, name: ctx.user.name },
            justification: p.entry.justification ?? null,
          }
        }),
      )
      for (const p of done) {
        const item = items.get(p.entry.itemId)!
        results.set(p.index, { itemId: item.id, result: 'decided', decision: p.entry.decision, version: item.version + 1 })
      }
      decided.push(...done)
    })
  }
  const toRemediate = decided.filter((p) => p.entry.decision === 'revoke' || p.entry.decision === 'reduce')
  if (c.autoRemediate && c.secondStage === 'none' && toRemediate.length) {
    // The campaign's rule acts, as the system: the reviewer asked for decisions, not for remediations.
    await remediateItems(
      systemContext(ctx.org, { type: 'auto_remediate', id: c.id }),
      c.type,
      toRemediate.map((p) => ({
        ...items.get(p.entry.itemId)!,
        decision: p.entry.decision,
        reduceGrantIds: p.reduceGrantIds,
        justification: p.entry.justification,
      })),
    )
  }
  return entries.map((_, i) => results.get(i)!)
}
