import 'server-only'
import { auditTarget, recordAudit } from '@/lib/audit/record'
import { assertCan, type Ctx, type PersonCtx, type UserCtx } from '@/lib/auth/org-context'
import { can, isRole } from '@/lib/auth/permissions'
import { db } from '@/lib/db'
import { ConflictError, ForbiddenError, ForeignReferenceError, NotFoundError, ValidationError } from '@/lib/errors'
import { enqueueJob } from '@/lib/jobs/queue'
import { notify } from '@/lib/notifications/notify'
import { parseOrgSettings } from '@/lib/settings/schemas'
import { campaignIdentityWhere, getCampaignOrThrow } from './internal'
import { campaignRemindersJob, closeCampaignJob, launchCampaignJob } from './jobs'
import type { CampaignInput, ReassignInput } from './schemas'

/** A reviewer must be an active member who may decide (auditors are read-only). */
async function assertReviewer(ctx: Ctx, userId: string, field: string) {
  const m = await db.membership.findFirst({ where: { orgId: ctx.org.id, userId }, select: { role: true, status: true, user: { select: { active: true } } } })
  if (!m) throw new ForeignReferenceError('Pick an active member who can review.', { [field]: ['Not a member of this organization'] })
  if (m.status !== 'active' || !m.user.active || !isRole(m.role) || !can(m.role, 'review:decide')) {
    throw new ValidationError('Pick an active member who can review.', {
      [field]: ['Pick an active member of this organization who can review (not an auditor)'],
    })
  }
}

/** How many items the scope gives for a campaign type (the form's live preview and the launch's empty check). */
export async function countPopulation(ctx: Ctx, { type, scope, createdById }: { type: string; scope: string; createdById: string | null }) {
  const orgId = ctx.org.id
  const org = await db.organization.findUniqueOrThrow({ where: { id: orgId }, select: { settings: true } })
  const where = campaignIdentityWhere({ orgId, scope, createdById }, parseOrgSettings(org.settings).dormantDays)
  const identities = await db.identity.count({ where })
  if (type === 'entitlement') return { identities, items: identities && (await db.grant.count({ where: { orgId, status: 'active', identity: where } })) }
  if (type === 'credential') return { identities, items: identities && (await db.credential.count({ where: { orgId, status: 'active', identity: where } })) }
  return { identities, items: identities }
}

function emptyScope(type: string) {
  const what = type === 'entitlement' ? 'active grants' : type === 'credential' ? 'active credentials' : 'identities'
  return new ValidationError(`The scope matches no ${what}: widen the filter before launching.`, { scope: [`No ${what} match this scope`] })
}

export async function createCampaign(ctx: PersonCtx, input: CampaignInput) {
  assertCan(ctx, 'campaign:manage')
  if (input.dueAt.getTime() <= Date.now()) throw new ValidationError('The due date is in the past.', { dueAt: ['The due date must be in the future'] })
  await assertReviewer(ctx, input.fallbackReviewerId, 'fallbackReviewerId')
  if (input.signoffReviewerId) await assertReviewer(ctx, input.signoffReviewerId, 'signoffReviewerId')
  // Check the scope before saving, so a refused launch does not leave a stray draft behind.
  if (input.launch && (await countPopulation(ctx, { type: input.type, scope: JSON.stringify(input.scope), createdById: ctx.user.id })).items === 0)
    throw emptyScope(input.type)
  const campaign = await db.$transaction(async (tx) => {
    const c = await tx.campaign.create({
      data: {
        orgId: ctx.org.id,
        name: input.name,
        description: input.description,
        type: input.type,
        scope: JSON.stringify(input.scope),
        fallbackReviewerId: input.fallbackReviewerId,
        secondStage: input.secondStage,
        signoffReviewerId: input.signoffReviewerId ?? null,
        startAt: input.startAt ?? null,
        dueAt: input.dueAt,
        reminders: JSON.stringify([...new Set(input.reminders)].sort((a, b) => b - a)),
        defaultDecision: input.defaultDecision,
        justificationRule: input.justificationRule,
        autoRemediate: input.autoRemediate,
        recurrence: input.recurrence,
        graceDays: input.graceDays,
        createdById: ctx.user.id,
      },
    })
    await recordAudit(tx, ctx, { action: 'campaign.create', ...auditTarget('campaign', c), details: { type: c.type, scope: input.scope } })
    return c
  })
  if (input.launch) return { campaign, launch: await launchCampaign(ctx, campaign.id) }
  return { campaign, launch: null }
}

/**
 * Checks the campaign can launch, then queues the launch job (or schedules it for the start date). The
 * snapshot itself runs in the job, so a 100,000-item launch never holds a request open.
 */
export async function launchCampaign(ctx: PersonCtx, campaignId: string) {
  assertCan(ctx, 'campaign:manage')
  const c = await getCampaignOrThrow(ctx, campaignId)
  if (c.status !== 'draft' && c.status !== 'scheduled') throw new ConflictError(`This campaign is already ${c.status}.`)
  if (!c.dueAt || c.dueAt.getTime() <= Date.now())
    throw new ValidationError('The due date has passed: edit the campaign and pick a later due date before launching.', {
      dueAt: ['The due date must be in the future'],
    })
  if (!c.fallbackReviewerId) throw new ValidationError('Choose a fallback reviewer before launching.')
  await assertReviewer(ctx, c.fallbackReviewerId, 'fallbackReviewerId')
  const { items: total, identities } = await countPopulation(ctx, c)
  if (total === 0) throw emptyScope(c.type)
  const scheduled = !!c.startAt && c.startAt.getTime() > Date.now()
  return db.$transaction(async (tx) => {
    const moved = await tx.campaign.updateMany({
      where: { id: c.id, orgId: ctx.org.id, status: c.status },
      data: { status: scheduled ? 'scheduled' : 'launching' },
    })
    if (moved.count !== 1) throw new ConflictError('This campaign changed meanwhile: reload the page.')
    const job = scheduled
      ? null
      : await enqueueJob(tx, launchCampaignJob, { campaignId: c.id }, { orgId: ctx.org.id, total: identities, createdById: ctx.user.id })
    await recordAudit(tx, ctx, {
      action: scheduled ? 'campaign.schedule' : 'campaign.launch',
      ...auditTarget('campaign', c),
      details: { expectedItems: total, startAt: c.startAt?.toISOString() ?? null },
    })
    return { jobId: job?.id ?? null, expectedItems: total, scheduled: !!scheduled }
  })
}

/** Asks for the current stage to close; the close job applies the default decision and hands revokes to remediation. */
export async function requestClose(ctx: PersonCtx, campaignId: string) {
  assertCan(ctx, 'campaign:manage')
  const c = await getCampaignOrThrow(ctx, campaignId)
  if (c.status !== 'active')
    throw new ConflictError(c.status === 'closed' ? 'This campaign is already closed.' : `This campaign is ${c.status}: it cannot be closed now.`)
  return db.$transaction(async (tx) => {
    const moved = await tx.campaign.updateMany({ where: { id: c.id, orgId: ctx.org.id, status: 'active' }, data: { status: 'closing' } })
    if (moved.count !== 1) throw new ConflictError('This campaign changed meanwhile: reload the page.')
    const job = await enqueueJob(
      tx,
      closeCampaignJob,
      { campaignId: c.id, stage: c.currentStage },
      { orgId: ctx.org.id, total: c.itemCount, createdById: ctx.user.id },
    )
    await recordAudit(tx, ctx, { action: 'campaign.close', targetType: 'campaign', targetId: c.id, targetLabel: c.name, details: { stage: c.currentStage } })
    return { jobId: job.id }
  })
}

/** Reminds every reviewer with open items now (at most once an hour per campaign, so a double click is harmless). */
export async function remindNow(ctx: UserCtx, campaignId: string) {
  assertCan(ctx, 'campaign:manage')
  const c = await getCampaignOrThrow(ctx, campaignId)
  if (c.status !== 'active') throw new ConflictError('Only an active campaign sends reminders.')
  return db.$transaction(async (tx) => {
    const job = await enqueueJob(tx, campaignRemindersJob, { campaignId: c.id, reason: 'manual' }, { orgId: ctx.org.id, createdById: ctx.user.id })
    await recordAudit(tx, ctx, { action: 'campaign.remind', targetType: 'campaign', targetId: c.id, targetLabel: c.name })
    return { jobId: job.id }
  })
}

/**
 * Hands items to another reviewer with a reason. A reviewer may delegate their own open items; admin and
 * governance (campaign:manage) may reassign any item of the organization.
 */
export async function reassignItems(ctx: UserCtx, input: ReassignInput) {
  assertCan(ctx, 'review:decide')
  const manager = can(ctx.role, 'campaign:manage')
  if (input.toUserId === ctx.user.id && !manager) throw new ValidationError('Pick someone else to delegate to.', { toUserId: ['Pick someone else'] })
  await assertReviewer(ctx, input.toUserId, 'toUserId')
  const items = await db.reviewItem.findMany({
    where: { id: { in: input.ids }, orgId: ctx.org.id },
    select: { id: true, reviewerId: true, status: true, campaignId: true, identityName: true, campaign: { select: { status: true, name: true } } },
  })
  if (items.length !== input.ids.length) throw new NotFoundError('Some items were not found')
  // Members touch only their own items; the answer does not reveal whose the others are.
  if (!manager && items.some((i) => i.reviewerId !== ctx.user.id)) throw new ForbiddenError('You can only delegate items assigned to you.')
  if (items.some((i) => i.campaign.status !== 'active' || i.status === 'closed'))
    throw new ConflictError('Some items belong to a stage that has closed: they can no longer be reassigned.')
  const to = await db.user.findUniqueOrThrow({ where: { id: input.toUserId }, select: { name: true } })
  const campaignIds = [...new Set(items.map((i) => i.campaignId))]
  await db.$transaction(async (tx) => {
    await tx.reviewItem.updateMany({ where: { id: { in: input.ids }, orgId: ctx.org.id }, data: { reviewerId: input.toUserId, version: { increment: 1 } } })
    await recordAudit(tx, ctx, {
      action: manager && items.some((i) => i.reviewerId !== ctx.user.id) ? 'review.reassign' : 'review.delegate',
      targetType: 'review_item',
      targetId: input.ids.length === 1 ? input.ids[0] : undefined,
      targetLabel: input.ids.length === 1 ? items[0].identityName : `${input.ids.length} items`,
      justification: input.reason,
      details: {
        to: input.toUserId,
        toName: to.name,
        count: input.ids.length,
        ids: input.ids.slice(0, 100),
        items: items.slice(0, 50).map((i) => ({ id: i.id, identity: i.identityName })),
        campaignIds,
      },
    })
    await notify(tx, [
      {
        orgId: ctx.org.id,
        userId: input.toUserId,
        kind: 'campaign.assigned',
        title: `${ctx.user.name} handed you ${input.ids.length} review item${input.ids.length === 1 ? '' : 's'}`,
        body: `Reason: ${input.reason}`,
        link: `/${ctx.org.slug}/reviews${campaignIds.length === 1 ? `?campaign=${campaignIds[0]}` : ''}`,
      },
    ])
  })
  return { count: input.ids.length, to: to.name }
}
