import 'server-only'
import type { Prisma } from '@/lib/generated/sqlite/client'
import type { Ctx, UserCtx } from '@/lib/auth/org-context'
import { db, type Tx } from '@/lib/db'
import { NotFoundError } from '@/lib/errors'
import { identityFilterSchema } from '@/lib/inventory/schemas'
import { identityWhere } from '@/lib/inventory/where'
import { notify } from '@/lib/notifications/notify'
import type { ReviewFilter } from './schemas'

// What the campaign verb files (queries, mutations, decide, launch, close, reminders) share: they import this
// module, never each other.

/** Prisma does not split the id list of an updateMany: keep it under the driver's bind-parameter limit. */
export const UPDATE_CHUNK = 900

const ID = /^[a-z0-9_-]{1,40}$/i

/** The campaign row, in this organization: another organization's id is not found. */
export async function getCampaignOrThrow(ctx: Ctx, id: string, tx: Tx | typeof db = db) {
  if (!ID.test(id)) throw new NotFoundError('Campaign not found')
  const c = await tx.campaign.findFirst({ where: { id, orgId: ctx.org.id } })
  if (!c) throw new NotFoundError('Campaign not found')
  return c
}

/** The population of a campaign: the identities its scope selects (creator's "me" resolves to the creator). */
export function campaignIdentityWhere(c: { orgId: string; scope: string; createdById: string | null }, dormantDays: number) {
  let raw: unknown = {}
  try {
    raw = JSON.parse(c.scope)
  } catch {}
  const filter = identityFilterSchema.parse(raw ?? {})
  return identityWhere(c.orgId, filter, { userId: c.createdById ?? '', dormantDays })
}

/** The reviewer's own items in open stages, narrowed by the list filter. Every reviewer query starts here. */
export function myItemsWhere(ctx: UserCtx, f: ReviewFilter): Prisma.ReviewItemWhereInput {
  // No join on the campaign: items of a closed stage are 'closed' and a launch in progress keeps its items in
  // ReviewItemStage until they are all in, so the item status alone keeps the list to open stages (and the reviewer's index serves it).
  const and: Prisma.ReviewItemWhereInput[] = [{ orgId: ctx.org.id, reviewerId: ctx.user.id }]
  if (f.state === 'open') and.push({ status: 'pending' })
  else if (f.state === 'decided') and.push({ status: 'decided' })
  else if (f.state === 'unsure') and.push({ status: 'pending', decision: 'unsure' })
  else and.push({ status: { in: ['pending', 'decided'] } })
  if (f.campaign) and.push({ campaignId: f.campaign })
  if (f.privileged) and.push({ privileged: f.privileged === 'yes' })
  if (f.rec) and.push({ recommendation: f.rec === 'none' ? null : f.rec })
  if (f.q) and.push({ identityName: { contains: f.q } })
  return { AND: and }
}

/** Recounts the decided items of a campaign of this organization (keep, revoke and reduce; "don't know" is open). */
export async function refreshDecidedCount(ctx: Ctx, campaignId: string) {
  // Counted on the campaign's own index; the write below is what is scoped to the organization.
  const decidedCount = await db.reviewItem.count({ where: { campaignId, decision: { in: ['keep', 'revoke', 'reduce'] } } })
  await db.campaign.updateMany({ where: { id: campaignId, orgId: ctx.org.id }, data: { decidedCount } })
}

/** Tells each reviewer how many items wait for them in the campaign (in-app, plus e-mail when SMTP is configured). */
export async function notifyReviewers(
  tx: Tx,
  ctx: Ctx,
  campaignId: string,
  perReviewer: { reviewerId: string | null; _count: { _all: number } }[],
  message: (count: number) => { kind: string; title: string; body: string | null },
) {
  await notify(
    tx,
    perReviewer
      .filter((r) => r.reviewerId)
      .map((r) => ({ orgId: ctx.org.id, userId: r.reviewerId!, ...message(r._count._all), link: `/${ctx.org.slug}/reviews?campaign=${campaignId}` })),
  )
}
