import 'server-only'
import { emitEvent } from '@/lib/webhooks/emit'
import { recordAudit } from '@/lib/audit/record'
import type { SystemCtx } from '@/lib/auth/org-context'
import { db } from '@/lib/db'
import { notify } from '@/lib/notifications/notify'
import { refreshDecidedCount, UPDATE_CHUNK } from './internal'
import { nextPeriod } from './recommend'
import { remediateItems } from './remediate'
import { parseSnapshot } from './schemas'

const CHUNK = 5000
const DAY = 86_400_000
const DEFAULT_NOTE = 'Default decision: nobody answered before the stage closed'

/**
 * Closes the campaign's current stage: applies the default decision to what nobody answered, hands items that
 * need sign-off to stage 2, or locks everything and turns revokes into remediation requests. Closing waits for
 * no remediation: items record what is still pending.
 */
export async function runClose(ctx: SystemCtx, campaignId: string, stage: number, progress: (done: number, total?: number) => Promise<void>) {
  const c = await db.campaign.findFirst({ where: { id: campaignId, orgId: ctx.org.id } })
  if (!c || c.status !== 'closing' || c.currentStage !== stage) return { skipped: `campaign is ${c?.status ?? 'gone'}` }
  const now = new Date()

  // 1. The default decision, in chunks of ids (one Decision row per item, no decider).
  let defaulted = 0
  if (c.defaultDecision !== 'open') {
    for (;;) {
      const open = await db.reviewItem.findMany({
        where: { campaignId, stage, status: 'pending', ...(c.defaultDecision === 'recommendation' ? { recommendation: { not: null } } : {}) },
        select: { id: true, recommendation: true, identityName: true },
        take: CHUNK,
      })
      if (!open.length) break
      // A "reduce" recommendation drops the grants it suggested; one without a suggestion left (none shown) stays open.
      const reduce = c.defaultDecision === 'recommendation' ? open.filter((o) => o.recommendation === 'reduce') : []
      const suggestedOf = new Map(
        reduce.length
          ? (await db.reviewItem.findMany({ where: { id: { in: reduce.map((o) => o.id) }, orgId: ctx.org.id }, select: { id: true, snapshot: true } })).map(
              (x) => [x.id, parseSnapshot(x.snapshot)?.suggestedReduce ?? []],
            )
          : [],
      )
      await db.$transaction(async (tx) => {
        const counts: Record<string, number> = {}
        for (const o of reduce) {
          const picked = suggestedOf.get(o.id) ?? []
          const data = picked.length
            ? { decision: 'reduce', status: 'decided', reduceGrantIds: JSON.stringify(picked), decidedById: null, decidedAt: now, justification: DEFAULT_NOTE }
            : // Nothing left to drop: the identity is kept (its recommendation was keep, narrowed).
              { decision: 'keep', status: 'decided', decidedById: null, decidedAt: now, justification: DEFAULT_NOTE }
          await tx.reviewItem.updateMany({ where: { orgId: ctx.org.id, id: o.id, status: 'pending' }, data: { ...data, version: { increment: 1 } } })
          await tx.decision.create({
            data: { orgId: c.orgId, campaignId, reviewItemId: o.id, decision: data.decision, decidedById: null, justification: DEFAULT_NOTE, stage },
          })
          counts[data.decision] = (counts[data.decision] ?? 0) + 1
        }
        for (const d of ['keep', 'revoke']) {
          const ids = open.filter((o) => (c.defaultDecision === 'recommendation' ? o.recommendation : c.defaultDecision) === d).map((o) => o.id)
          if (!ids.length) continue
          counts[d] = ids.length
          for (let s = 0; s < ids.length; s += UPDATE_CHUNK) {
            await tx.reviewItem.updateMany({
              where: { orgId: ctx.org.id, id: { in: ids.slice(s, s + UPDATE_CHUNK) }, status: 'pending' },
              data: { decision: d, status: 'decided', decidedById: null, decidedAt: now, justification: DEFAULT_NOTE, version: { increment: 1 } },
            })
          }
          await tx.decision.createMany({
            data: ids.map((id) => ({ orgId: c.orgId, campaignId, reviewItemId: id, decision: d, decidedById: null, justification: DEFAULT_NOTE, stage })),
          })
        }
        // The default decisions are changes like any other: their audit row commits with them.
        await recordAudit(tx, ctx, {
          action: 'campaign.default-decision',
          targetType: 'campaign',
          targetId: campaignId,
          targetLabel: c.name,
          justification: DEFAULT_NOTE,
          details: {
            stage,
            rule: c.defaultDecision,
            counts,
            items: open.length,
            ids: open.slice(0, 100).map((o) => o.id),
            identities: open.slice(0, 50).map((o) => ({ id: o.id, name: o.identityName })),
          },
        })
      })
      defaulted += open.length
      await progress(defaulted)
    }
  }

  // 2. Second stage: items that need governance sign-off move on, carrying the first decision.
  if (stage === 1 && c.secondStage !== 'none') {
    const needs = c.secondStage === 'privileged' ? { privileged: true } : c.secondStage === 'revokes' ? { decision: { in: ['revoke', 'reduce'] } } : {}
    const signoff = c.signoffReviewerId ?? c.fallbackReviewerId
    const toStage2 = await db.reviewItem.count({ where: { campaignId, stage: 1, ...needs } })
    if (toStage2 > 0 && signoff) {
      const dueAt = new Date(Math.max(c.dueAt?.getTime() ?? 0, now.getTime() + 7 * DAY))
      await db.$transaction(async (tx) => {
        // firstDecision keeps the owner's answer; the sign-off reviewer decides again from scratch.
        const moving = { orgId: ctx.org.id, campaignId, stage: 1, ...needs }
        for (const d of ['keep', 'revoke', 'reduce', 'unsure']) {
          await tx.reviewItem.updateMany({ where: { ...moving, decision: d }, data: { firstDecision: d } })
        }
        await tx.reviewItem.updateMany({
          where: moving,
          data: {
            stage: 2,
            status: 'pending',
            decision: null,
            decidedById: null,
            decidedAt: null,
            justification: null,
            reviewerId: signoff,
            escalatedAt: null,
            version: { increment: 1 },
          },
        })
        await tx.reviewItem.updateMany({ where: { orgId: ctx.org.id, campaignId, stage: 1 }, data: { status: 'closed' } })
        await tx.campaign.update({ where: { id: campaignId, orgId: ctx.org.id }, data: { status: 'active', currentStage: 2, dueAt } })
        await recordAudit(tx, ctx, {
          action: 'campaign.stage-closed',
          targetType: 'campaign',
          targetId: campaignId,
          targetLabel: c.name,
          details: { stage: 1, defaulted, toSignoff: toStage2 },
        })
        await notify(tx, [
          {
            orgId: c.orgId,
            userId: signoff,
            kind: 'campaign.signoff',
            title: `${toStage2} item${toStage2 === 1 ? '' : 's'} await your sign-off in “${c.name}”`,
            body: `Decide by ${dueAt.toISOString().slice(0, 10)}.`,
            link: `/${ctx.org.slug}/reviews?campaign=${campaignId}`,
          },
        ])
      })
      await refreshDecidedCount(ctx, campaignId)
      return { stage: 1, defaulted, toSignoff: toStage2 }
    }
  }

  // 3. Final close: lock every item, queue remediation for revokes, then mark the campaign closed.
  await db.$transaction(async (tx) => {
    const locked = await tx.reviewItem.updateMany({ where: { orgId: ctx.org.id, campaignId, status: { not: 'closed' } }, data: { status: 'closed' } })
    await recordAudit(tx, ctx, {
      action: 'campaign.items-locked',
      targetType: 'campaign',
      targetId: campaignId,
      targetLabel: c.name,
      details: { stage, items: locked.count },
    })
  })
  await refreshDecidedCount(ctx, campaignId)
  let remediation = { pending: 0, manual: 0 }
  let after = ''
  for (;;) {
    const items = await db.reviewItem.findMany({
      where: { campaignId, decision: { in: ['revoke', 'reduce'] }, remediationStatus: 'none', id: { gt: after } },
      orderBy: { id: 'asc' },
      take: 500,
      select: { id: true, decision: true, identityId: true, grantId: true, credentialId: true, reduceGrantIds: true, justification: true },
    })
    if (!items.length) break
    after = items[items.length - 1].id
    const r = await remediateItems(ctx, c.type, items)
    remediation = { pending: remediation.pending + r.pending, manual: remediation.manual + r.manual }
  }
  const next = c.recurrence !== 'none' ? await scheduleNext(c) : null
  await db.$transaction(async (tx) => {
    await tx.campaign.update({ where: { id: campaignId, orgId: ctx.org.id }, data: { status: 'closed', closedAt: now } })
    await recordAudit(tx, ctx, {
      action: 'campaign.closed',
      targetType: 'campaign',
      targetId: campaignId,
      targetLabel: c.name,
      details: { defaulted, remediationPending: remediation.pending, remediationManual: remediation.manual, next: next?.id ?? null },
    })
    await emitEvent(tx, ctx.org.id, 'campaign.closed', {
      campaign: { id: campaignId, name: c.name },
      defaulted,
      remediationPending: remediation.pending,
      remediationManual: remediation.manual,
      nextCampaignId: next?.id ?? null,
    })
  })
  return { closed: true, defaulted, ...remediation, next: next?.id ?? null }
}

/** A recurring campaign creates its next run when it closes; the scheduler launches it at its start date. */
async function scheduleNext(
  c: { id: string; orgId: string; name: string; recurrence: string; startAt: Date | null; launchedAt: Date | null; dueAt: Date | null } & Record<
    string,
    unknown
  >,
) {
  const existing = await db.campaign.findFirst({ where: { previousId: c.id, orgId: c.orgId } })
  if (existing) return existing
  const start = nextPeriod(c.recurrence, c.startAt ?? c.launchedAt ?? new Date())
  const due = nextPeriod(c.recurrence, c.dueAt ?? new Date())
  const src = await db.campaign.findUniqueOrThrow({ where: { id: c.id, orgId: c.orgId } })
  return db.campaign.create({
    data: {
      orgId: src.orgId,
      name: src.name,
      description: src.description,
      type: src.type,
      scope: src.scope,
      status: 'scheduled',
      fallbackReviewerId: src.fallbackReviewerId,
      secondStage: src.secondStage,
      signoffReviewerId: src.signoffReviewerId,
      startAt: start,
      dueAt: due,
      reminders: src.reminders,
      defaultDecision: src.defaultDecision,
      justificationRule: src.justificationRule,
      autoRemediate: src.autoRemediate,
      recurrence: src.recurrence,
      graceDays: src.graceDays,
      previousId: src.id,
      createdById: src.createdById,
    },
  })
}
