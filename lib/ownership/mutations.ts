import 'server-only'
import { auditTarget, recordAudit } from '@/lib/audit/record'
import { assertCan, type Ctx, type UserCtx } from '@/lib/auth/org-context'
import { can } from '@/lib/auth/permissions'
import { db } from '@/lib/db'
import { ConflictError, ForbiddenError, NotFoundError, ValidationError } from '@/lib/errors'
import { getOrgSettings } from '@/lib/inventory/queries'
import { identityFilterSchema } from '@/lib/inventory/schemas'
import { identityWhere } from '@/lib/inventory/where'
import { enqueueJob } from '@/lib/jobs/queue'
import { notify } from '@/lib/notifications/notify'
import { applyOwnership, type OwnershipRow } from '@/lib/ownership/apply'
import { assertAssignable, loadDirectory, loadSuggestionInputs } from '@/lib/ownership/directory'
import { bulkAssignJob, bulkTargetLabel } from '@/lib/ownership/jobs'
import type { BulkAssignPayload, OwnershipFields } from '@/lib/ownership/schemas'
import { suggestOwners } from '@/lib/ownership/suggestions'

const DAY = 86_400_000
const TX = { timeout: 60_000, maxWait: 15_000 }
const ROW = { id: true, name: true, ownerId: true, backupOwnerId: true, teamId: true } as const

/** Assigns owner, backup owner and/or team to the given identities (one identity or a browser selection). */
export async function assignOwner(ctx: Ctx, input: { identityIds: string[]; fields: OwnershipFields }) {
  assertCan(ctx, 'identity:assign-owner')
  const ids = [...new Set(input.identityIds)]
  return db.$transaction(async (tx) => {
    await assertAssignable(tx, ctx, input.fields)
    const rows: OwnershipRow[] = []
    for (let i = 0; i < ids.length; i += 2_000) {
      rows.push(...(await tx.identity.findMany({ where: { orgId: ctx.org.id, id: { in: ids.slice(i, i + 2_000) } }, select: ROW })))
    }
    // Another organization's identity is indistinguishable from one that does not exist.
    if (rows.length !== ids.length) throw new NotFoundError(ids.length === 1 ? 'Identity not found' : 'Some of the selected identities no longer exist.')
    const origin = 'user' in ctx ? 'manual' : 'api'
    const result = await applyOwnership(tx, ctx, rows, () => ({ ...input.fields, origin }), { action: 'identity.assign-owner' })
    if (ids.length > 1) {
      await recordAudit(tx, ctx, {
        action: 'identity.bulk-assign-owner',
        targetType: 'identity',
        targetLabel: `${ids.length} selected identities`,
        // Names beside ids, bounded: each identity also has its own identity.assign-owner row.
        details: {
          selected: ids.length,
          changed: result.changed,
          fields: input.fields,
          by: 'selection',
          identities: rows.slice(0, 50).map((r) => ({ id: r.id, name: r.name })),
        },
      })
    }
    return { selected: ids.length, changed: result.changed }
  }, TX)
}

/** "Me" in a filter is the signed-in person; a token is nobody, so it matches no one. */
const userIdOf = (ctx: Ctx) => ('user' in ctx ? ctx.user.id : '')

function whereOfFilter(ctx: Ctx, raw: Record<string, string>, dormantDays: number, now: Date) {
  const filter = identityFilterSchema.parse(raw)
  return { filter, where: identityWhere(ctx.org.id, filter, { userId: userIdOf(ctx), dormantDays, now }) }
}

/** How many identities match and how many would change: the number the confirmation shows. */
export async function previewAssignByFilter(ctx: UserCtx, raw: Record<string, string>, fields: OwnershipFields) {
  assertCan(ctx, 'identity:assign-owner')
  // The preview refuses what the assignment would refuse, before the person confirms.
  await assertAssignable(db, ctx, fields)
  const { dormantDays } = await getOrgSettings(ctx)
  const { where } = whereOfFilter(ctx, raw, dormantDays, new Date())
  const differs = (col: 'ownerId' | 'backupOwnerId' | 'teamId', v: string | null | undefined) =>
    v === undefined ? [] : v === null ? [{ [col]: { not: null } }] : [{ [col]: null }, { [col]: { not: v } }]
  const or = [...differs('ownerId', fields.ownerId), ...differs('backupOwnerId', fields.backupOwnerId), ...differs('teamId', fields.teamId)]
  const [matching, changing] = await Promise.all([db.identity.count({ where }), or.length ? db.identity.count({ where: { AND: [where, { OR: or }] } }) : 0])
  return { matching, changing }
}

async function startJob(ctx: Ctx, mode: BulkAssignPayload['mode'], raw: Record<string, string>, fields: OwnershipFields, requestId: string) {
  const settings = await getOrgSettings(ctx)
  const now = new Date()
  const { filter, where } = whereOfFilter(ctx, raw, settings.dormantDays, now)
  const effective = mode === 'suggestions' ? { AND: [where, { ownerId: null }] } : where
  const matching = await db.identity.count({ where: effective })
  if (matching === 0) throw new ValidationError(mode === 'suggestions' ? 'No unowned identities match this filter.' : 'No identities match this filter.')
  const payload: BulkAssignPayload = {
    mode,
    filter: Object.fromEntries(Object.entries(raw).filter(([k]) => k in filter)),
    fields,
    requestId,
    userId: userIdOf(ctx),
    ...(ctx.actor.type === 'api_token' || ctx.actor.type === 'workload' ? { requestedBy: ctx.actor } : {}),
    now: now.getTime(),
    dormantDays: settings.dormantDays,
    cursor: null,
    scanned: 0,
    changed: 0,
  }
  const idempotencyKey = bulkAssignJob.key(payload, { orgId: ctx.org.id })
  return db.$transaction(async (tx) => {
    // A repeated submit answers with the job it already started.
    const existing = await tx.job.findUnique({ where: { idempotencyKey }, select: { id: true, orgId: true, total: true } })
    if (existing) {
      if (existing.orgId !== ctx.org.id) throw new ConflictError('That request id was already used.')
      return { jobId: existing.id, matching: existing.total }
    }
    if (mode === 'fields') await assertAssignable(tx, ctx, fields)
    const job = await enqueueJob(tx, bulkAssignJob, payload, { orgId: ctx.org.id, total: matching, createdById: 'user' in ctx ? ctx.user.id : null })
    await recordAudit(tx, ctx, {
      action: mode === 'suggestions' ? 'identity.accept-suggestions.request' : 'identity.bulk-assign-owner.request',
      targetType: 'job',
      targetId: job.id,
      targetLabel: await bulkTargetLabel(tx, ctx.org.id, mode, payload.filter, 'user' in ctx ? ctx.user.name : null, matching),
      details: { matching, filter: payload.filter, ...(mode === 'fields' ? { fields } : { minConfidence: 'high' }) },
    })
    return { jobId: job.id, matching }
  }, TX)
}

/** "Select all N matching": runs server-side as a resumable bulk_assign job over the filter, never over ids from the browser. */
export async function startBulkAssignByFilter(ctx: Ctx, input: { filter: Record<string, string>; fields: OwnershipFields; requestId: string }) {
  assertCan(ctx, 'identity:assign-owner')
  await assertAssignable(db, ctx, input.fields)
  return startJob(ctx, 'fields', input.filter, input.fields, input.requestId)
}

/** Accepts every high-confidence suggestion for the unowned identities matching the filter (a bulk_assign job). */
export async function startAcceptSuggestionsByFilter(ctx: UserCtx, input: { filter: Record<string, string>; requestId: string }) {
  assertCan(ctx, 'identity:assign-owner')
  return startJob(ctx, 'suggestions', input.filter, {}, input.requestId)
}

export async function getBulkJob(ctx: UserCtx, jobId: string) {
  assertCan(ctx, 'identity:assign-owner')
  const job = await db.job.findFirst({
    where: { id: jobId, orgId: ctx.org.id, type: bulkAssignJob.type },
    select: { id: true, status: true, progress: true, total: true, result: true, lastError: true, attempts: true, maxAttempts: true },
  })
  if (!job) throw new NotFoundError('Job not found')
  let result: Record<string, unknown> = {}
  try {
    result = JSON.parse(job.result ?? '{}')
  } catch {}
  return { ...job, result }
}

export async function listSuggestionsForIdentity(ctx: UserCtx, identityId: string) {
  assertCan(ctx, 'identity:read')
  const identity = await db.identity.findFirst({
    where: { id: identityId, orgId: ctx.org.id },
    select: { id: true, name: true, metadata: true, ownerId: true, teamId: true },
  })
  if (!identity) throw new NotFoundError('Identity not found')
  const [dir, inputs] = await Promise.all([loadDirectory(db, ctx), loadSuggestionInputs(db, ctx, [identity])])
  const teamsById = new Map([...dir.teamsBySlug.values()].map((t) => [t.id, t.name]))
  return suggestOwners(inputs.get(identity.id)!, dir)
    .filter((s) => !(s.ownerId === identity.ownerId && (s.teamId === null || s.teamId === identity.teamId)))
    .map((s) => ({
      ...s,
      ownerName: s.ownerId ? (dir.membersById.get(s.ownerId)?.name ?? null) : null,
      teamName: s.teamId ? (teamsById.get(s.teamId) ?? null) : null,
    }))
}

/** Accepts one suggestion: recomputed on the server, so "suggestion" as the origin is always true. */
export async function acceptSuggestion(ctx: UserCtx, input: { identityId: string; ownerId: string | null; teamId: string | null }) {
  assertCan(ctx, 'identity:assign-owner')
  const suggestions = await listSuggestionsForIdentity(ctx, input.identityId)
  const s = suggestions.find((x) => x.ownerId === input.ownerId && x.teamId === input.teamId)
  if (!s) throw new ConflictError('That suggestion no longer applies; reload the page.')
  return db.$transaction(async (tx) => {
    const row = await tx.identity.findFirstOrThrow({ where: { id: input.identityId, orgId: ctx.org.id }, select: ROW })
    await assertAssignable(tx, ctx, { ownerId: s.ownerId, teamId: s.teamId })
    const target = { ...(s.ownerId ? { ownerId: s.ownerId } : {}), ...(s.teamId ? { teamId: s.teamId } : {}), origin: 'suggestion' as const, reason: s.reason }
    return applyOwnership(tx, ctx, [row], () => target, { action: 'identity.assign-owner', details: { suggestion: s.source, confidence: s.confidence } })
  }, TX)
}

// Transfers: the owner proposes, the recipient decides; nothing changes until they accept.

export async function requestTransfer(ctx: UserCtx, input: { identityId: string; toUserId: string; note?: string }) {
  assertCan(ctx, 'identity:transfer')
  return db.$transaction(async (tx) => {
    const identity = await tx.identity.findFirst({ where: { id: input.identityId, orgId: ctx.org.id }, select: { id: true, name: true, ownerId: true } })
    if (!identity) throw new NotFoundError('Identity not found')
    if (identity.ownerId !== ctx.user.id) throw new ForbiddenError('Only the owner of this identity can hand it off.')
    if (input.toUserId === ctx.user.id) throw new ValidationError('You already own this identity.', { toUserId: ['Choose someone else.'] })
    await assertAssignable(tx, ctx, { ownerId: input.toUserId })
    const pending = await tx.ownershipTransfer.findFirst({ where: { orgId: ctx.org.id, identityId: identity.id, status: 'pending' }, select: { id: true } })
    if (pending) throw new ConflictError('A hand-off of this identity is already waiting for an answer.')
    const transfer = await tx.ownershipTransfer.create({
      data: { orgId: ctx.org.id, identityId: identity.id, fromUserId: ctx.user.id, toUserId: input.toUserId, note: input.note || null },
    })
    await recordAudit(tx, ctx, {
      action: 'identity.transfer-request',
      ...auditTarget('identity', identity),
      justification: input.note || null,
      details: { transferId: transfer.id, toUserId: input.toUserId },
    })
    await notify(tx, [
      {
        orgId: ctx.org.id,
        userId: input.toUserId,
        kind: 'transfer.requested',
        title: `${ctx.user.name} wants to hand ${identity.name} to you`,
        body: `${ctx.user.name} asked you to become the owner of ${identity.name}.${input.note ? ` Note: “${input.note}”` : ''} Accept or decline on your "My identities" page.`,
        link: `/${ctx.org.slug}/my`,
      },
    ])
    return { transferId: transfer.id }
  }, TX)
}

export async function decideTransfer(ctx: UserCtx, input: { transferId: string; accept: boolean }) {
  assertCan(ctx, 'identity:transfer')
  return db.$transaction(async (tx) => {
    // Only the recipient may answer; for anyone else the transfer does not exist.
    const t = await tx.ownershipTransfer.findFirst({
      where: { id: input.transferId, orgId: ctx.org.id, toUserId: ctx.user.id },
      include: { identity: { select: ROW } },
    })
    if (!t) throw new NotFoundError('Transfer not found')
    if (t.status !== 'pending') throw new ConflictError(`This hand-off was already ${t.status}.`)
    const now = new Date()
    if (input.accept && t.identity.ownerId !== t.fromUserId) {
      await tx.ownershipTransfer.update({ where: { id: t.id, orgId: ctx.org.id }, data: { status: 'canceled', decidedAt: now } })
      throw new ConflictError('The owner of this identity changed since the hand-off was proposed; it was canceled.')
    }
    const claimed = await tx.ownershipTransfer.updateMany({
      where: { id: t.id, orgId: ctx.org.id, status: 'pending' },
      data: { status: input.accept ? 'accepted' : 'declined', decidedAt: now },
    })
    if (claimed.count !== 1) throw new ConflictError('This hand-off was already answered.')
    if (input.accept) {
      await assertAssignable(tx, ctx, { ownerId: ctx.user.id })
      await applyOwnership(tx, ctx, [t.identity], () => ({ ownerId: ctx.user.id, origin: 'manual' }), {
        action: 'identity.assign-owner',
        details: { transferId: t.id },
      })
    }
    await recordAudit(tx, ctx, {
      action: input.accept ? 'identity.transfer-accept' : 'identity.transfer-decline',
      targetType: 'identity',
      targetId: t.identityId,
      targetLabel: t.identity.name,
      details: { transferId: t.id, fromUserId: t.fromUserId },
    })
    if (t.fromUserId) {
      await notify(tx, [
        {
          orgId: ctx.org.id,
          userId: t.fromUserId,
          kind: input.accept ? 'transfer.accepted' : 'transfer.declined',
          title: `${ctx.user.name} ${input.accept ? 'accepted' : 'declined'} ${t.identity.name}`,
          body: input.accept
            ? `${ctx.user.name} is now the owner of ${t.identity.name}.`
            : `${ctx.user.name} declined to take over ${t.identity.name}; you are still its owner.`,
          link: `/${ctx.org.slug}/identities/${t.identityId}`,
        },
      ])
    }
    return { status: input.accept ? 'accepted' : 'declined' }
  }, TX)
}

export async function cancelTransfer(ctx: UserCtx, input: { transferId: string }) {
  assertCan(ctx, 'identity:transfer')
  return db.$transaction(async (tx) => {
    const t = await tx.ownershipTransfer.findFirst({
      where: { id: input.transferId, orgId: ctx.org.id, fromUserId: ctx.user.id },
      include: { identity: { select: { name: true } } },
    })
    if (!t) throw new NotFoundError('Transfer not found')
    const r = await tx.ownershipTransfer.updateMany({
      where: { id: t.id, orgId: ctx.org.id, status: 'pending' },
      data: { status: 'canceled', decidedAt: new Date() },
    })
    if (r.count !== 1) throw new ConflictError(`This hand-off was already ${t.status}.`)
    await recordAudit(tx, ctx, {
      action: 'identity.transfer-cancel',
      targetType: 'identity',
      targetId: t.identityId,
      targetLabel: t.identity.name,
      details: { transferId: t.id },
    })
    return { status: 'canceled' }
  }, TX)
}

/** The owner (or backup owner) confirms the identity is still needed; the next attestation falls due after the org's interval. */
export async function attestIdentity(ctx: UserCtx, input: { identityId: string; note?: string }) {
  assertCan(ctx, 'identity:attest')
  const settings = await getOrgSettings(ctx)
  return db.$transaction(async (tx) => {
    const identity = await tx.identity.findFirst({
      where: { id: input.identityId, orgId: ctx.org.id },
      select: { id: true, name: true, ownerId: true, backupOwnerId: true },
    })
    if (!identity) throw new NotFoundError('Identity not found')
    if (identity.ownerId !== ctx.user.id && identity.backupOwnerId !== ctx.user.id) {
      throw new ForbiddenError('Only the owner or backup owner of this identity can attest to it.')
    }
    const now = new Date()
    const nextDueAt = new Date(now.getTime() + settings.attestationIntervalDays * DAY)
    const a = await tx.attestation.create({
      data: { orgId: ctx.org.id, identityId: identity.id, userId: ctx.user.id, note: input.note || null, createdAt: now, nextDueAt },
    })
    await tx.identity.updateMany({ where: { id: identity.id, orgId: ctx.org.id }, data: { lastAttestedAt: now, attestationDue: nextDueAt } })
    await recordAudit(tx, ctx, {
      action: 'identity.attest',
      ...auditTarget('identity', identity),
      justification: input.note || null,
      details: { attestationId: a.id, nextDueAt: nextDueAt.toISOString(), stillNeeded: true },
    })
    return { attestationId: a.id, nextDueAt }
  }, TX)
}

export function canAssign(ctx: UserCtx) {
  return can(ctx.role, 'identity:assign-owner')
}
