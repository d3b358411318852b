import 'server-only'
import { auditTarget, recordAudit } from '@/lib/audit/record'
import type { SystemCtx } from '@/lib/auth/org-context'
import { db } from '@/lib/db'
import { notify } from '@/lib/notifications/notify'
import { notifyReviewers } from './internal'

const DAY = 86_400_000

/** Sends each reviewer with open items one reminder (in-app, plus e-mail when SMTP is configured). */
export async function sendReminders(ctx: SystemCtx, campaignId: string, reason: string) {
  const c = await db.campaign.findFirst({ where: { id: campaignId, orgId: ctx.org.id } })
  if (!c || c.status !== 'active') return { skipped: 'campaign not active' }
  const open = await db.reviewItem.groupBy({
    by: ['reviewerId'],
    where: { orgId: ctx.org.id, campaignId, stage: c.currentStage, status: 'pending' },
    _count: { _all: true },
  })
  const due = c.dueAt ? Math.ceil((c.dueAt.getTime() - Date.now()) / DAY) : null
  const when = due === null ? '' : due > 0 ? ` due in ${due} day${due === 1 ? '' : 's'}` : ' overdue'
  await db.$transaction(async (tx) => {
    await notifyReviewers(tx, ctx, c.id, open, (n) => ({
      kind: 'campaign.reminder',
      title: `Reminder: ${n} review item${n === 1 ? '' : 's'}${when} in “${c.name}”`,
      body: c.dueAt ? `Decide by ${c.dueAt.toISOString().slice(0, 10)}; after that the default decision (${c.defaultDecision}) applies.` : null,
    }))
    await recordAudit(tx, ctx, { action: 'campaign.reminders-sent', ...auditTarget('campaign', c), details: { reviewers: open.length, reason } })
  })
  return { reviewers: open.length }
}

/** Overdue items go to the fallback reviewer (once), who is told how many arrived. */
export async function escalateOverdue(ctx: SystemCtx, campaignId: string) {
  const c = await db.campaign.findFirst({ where: { id: campaignId, orgId: ctx.org.id } })
  if (!c || c.status !== 'active' || !c.fallbackReviewerId) return 0
  const where = { orgId: ctx.org.id, campaignId, stage: c.currentStage, status: 'pending', escalatedAt: null, reviewerId: { not: c.fallbackReviewerId } }
  const n = await db.reviewItem.count({ where })
  if (!n) return 0
  await db.$transaction(async (tx) => {
    await tx.reviewItem.updateMany({ where, data: { reviewerId: c.fallbackReviewerId, escalatedAt: new Date(), version: { increment: 1 } } })
    await recordAudit(tx, ctx, { action: 'campaign.escalate', ...auditTarget('campaign', c), details: { items: n, to: c.fallbackReviewerId } })
    await notify(tx, [
      {
        orgId: c.orgId,
        userId: c.fallbackReviewerId!,
        kind: 'campaign.escalated',
        title: `${n} overdue review item${n === 1 ? '' : 's'} escalated to you in “${c.name}”`,
        body: `Their reviewers did not answer by the due date.`,
        link: `/${ctx.org.slug}/reviews?campaign=${c.id}`,
      },
    ])
  })
  return n
}
