import 'server-only'
import { assertCan, type UserCtx } from '@/lib/auth/org-context'
import { db } from '@/lib/db'
import { ConflictError } from '@/lib/errors'
import { getCampaignOrThrow } from './internal'

export type ClosePreview = {
  campaign: string
  stage: number
  /** false when closing stage 1 hands items to a sign-off stage instead of ending the campaign */
  final: boolean
  defaultDecision: string
  /** items nobody decided yet (including "don't know") */
  open: number
  toKeep: number
  toRevoke: number
  /** open items that stay undecided (default decision "leave open", or no recommendation) */
  stayOpen: number
  /** items that move to the sign-off stage */
  toSignoff: number
  /** revocations (revoke and reduce decisions) that become remediation requests when the campaign closes */
  revocations: number
}

/** What closing the current stage would do, counted before the person confirms (the close job does the same). */
export async function previewClose(ctx: UserCtx, campaignId: string): Promise<ClosePreview> {
  assertCan(ctx, 'campaign:manage')
  const c = await getCampaignOrThrow(ctx, campaignId)
  if (c.status !== 'active')
    throw new ConflictError(c.status === 'closed' ? 'This campaign is already closed.' : `This campaign is ${c.status}: it cannot be closed now.`)
  const stage = c.currentStage
  const base = { orgId: ctx.org.id, campaignId: c.id, stage }
  const [openByRec, decidedRevokes] = await Promise.all([
    db.reviewItem.groupBy({ by: ['recommendation', 'privileged'], where: { ...base, status: 'pending' }, _count: { _all: true } }),
    db.reviewItem.groupBy({
      by: ['decision'],
      where: { ...base, status: 'decided', decision: { in: ['revoke', 'reduce'] }, remediationStatus: 'none' },
      _count: { _all: true },
    }),
  ])
  const open = openByRec.reduce((n, g) => n + g._count._all, 0)
  const defaultOf = (recommendation: string | null) =>
    c.defaultDecision === 'keep' || c.defaultDecision === 'revoke' ? c.defaultDecision : c.defaultDecision === 'recommendation' ? recommendation : null
  let toKeep = 0
  let toRevoke = 0
  for (const g of openByRec) {
    const d = defaultOf(g.recommendation)
    if (d === 'keep') toKeep += g._count._all
    else if (d === 'revoke') toRevoke += g._count._all
  }
  const decided = decidedRevokes.reduce((n, g) => n + g._count._all, 0)
  const hasSignoff = stage === 1 && c.secondStage !== 'none' && !!(c.signoffReviewerId ?? c.fallbackReviewerId)
  let toSignoff = 0
  if (hasSignoff) {
    if (c.secondStage === 'all') toSignoff = await db.reviewItem.count({ where: base })
    else if (c.secondStage === 'revokes') toSignoff = decided + toRevoke
    else toSignoff = await db.reviewItem.count({ where: { ...base, privileged: true } })
  }
  // As the close job does: with items for sign-off the campaign moves to stage 2 and revokes wait for its close;
  // otherwise this close is final and every revoke becomes a remediation request.
  const signoff = toSignoff > 0
  const revocations = signoff ? 0 : decided + toRevoke
  return {
    campaign: c.name,
    stage,
    final: !signoff,
    defaultDecision: c.defaultDecision,
    open,
    toKeep,
    toRevoke,
    stayOpen: open - toKeep - toRevoke,
    toSignoff,
    revocations,
  }
}
