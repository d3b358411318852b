import 'server-only'
import { emitEvent } from '@/lib/webhooks/emit'
import { recordAudit } from '@/lib/audit/record'
import { assertCan, type Ctx, type UserCtx } from '@/lib/auth/org-context'
import { resolveConnector } from '@/lib/connectors/registry'
import { db, type Tx } from '@/lib/db'
import { ConflictError, mapPrismaError, NotFoundError, ValidationError } from '@/lib/errors'
import { GATEWAY_SOURCE_TYPE } from '@/lib/gateway/source'
import { remediateToken, TOKEN_SOURCE, tokenIdOf } from '@/lib/api-tokens/inventory'
import { enqueueJob } from '@/lib/jobs/queue'
import { deleteIdentityJob, REMEDIATION_JOBS } from '@/lib/remediation/jobs'
import { applyEffects, syncReviewItem } from '@/lib/remediation/outcome'
import { bulkTargets, justificationSchema, KIND_LABELS, openKeyOf, remediationTargetSchema, type RemediationTarget } from '@/lib/remediation/schemas'

export type RemediationRequest = RemediationTarget & { justification: string; reviewItemId?: string; ownerRequestId?: string }

const GATEWAY_REVOKED = 'Revoked at the Custodian gateway: its calls under this rule are refused from now on.'
const REVOCABLE_ITEM_DECISIONS = new Set(['revoke', 'reduce'])

/**
 * Asks for one change on a source. In the caller's transaction (or a new one): marks the target pending
 * (an open Remediation row, one per target), enqueues the job, writes the audit row. Asking again for a
 * target that is already pending returns the pending one. Campaigns pass `reviewItemId`: the decision on
 * that item (revoke/reduce, in this organization) is then the authority, instead of identity:remediate.
 */
export async function requestRemediation(ctx: Ctx, input: RemediationRequest, tx?: Tx) {
  const run = (t: Tx) => requestOne(t, ctx, input)
  try {
    return tx ? await run(tx) : await db.$transaction(run)
  } catch (err) {
    throw mapPrismaError(err)
  }
}

async function requestOne(tx: Tx, ctx: Ctx, input: RemediationRequest) {
  const parsedTarget = remediationTargetSchema.safeParse(input)
  if (!parsedTarget.success) throw new ValidationError(parsedTarget.error.issues[0]?.message ?? 'Invalid target')
  const justification = justificationSchema.safeParse(input.justification)
  if (!justification.success) throw new ValidationError(justification.error.issues[0].message, { justification: [justification.error.issues[0].message] })
  const t = parsedTarget.data
  const orgId = ctx.org.id

  if (input.reviewItemId) {
    const item = await tx.reviewItem.findFirst({ where: { id: input.reviewItemId, orgId }, select: { identityId: true, decision: true } })
    if (!item || item.identityId !== t.identityId) throw new NotFoundError('Review item not found')
    if (!REVOCABLE_ITEM_DECISIONS.has(item.decision ?? '')) throw new ConflictError('This review item was not decided revoke or reduce.')
  } else if (input.ownerRequestId) {
    // An owner's request, approved by governance or by the organization's direct-action setting (lib/requests), is the authority; it is used once.
    const req = await tx.ownerRequest.findFirst({
      where: { id: input.ownerRequestId, orgId },
      select: { identityId: true, kind: true, grantId: true, credentialId: true, status: true, remediationId: true },
    })
    if (
      !req ||
      req.identityId !== t.identityId ||
      req.kind !== t.kind ||
      (req.grantId ?? undefined) !== t.grantId ||
      (req.credentialId ?? undefined) !== t.credentialId
    )
      throw new NotFoundError('Request not found')
    if (req.status !== 'approved' || req.remediationId) throw new ConflictError('This request is not approved, or was already carried out.')
  } else {
    assertCan(ctx, 'identity:remediate')
  }

  const identity = await tx.identity.findFirst({
    where: { id: t.identityId, orgId },
    select: {
      id: true,
      name: true,
      status: true,
      externalId: true,
      source: { select: { id: true, name: true, type: true, config: true, secretRef: true } },
    },
  })
  if (!identity) throw new NotFoundError('Identity not found')
  const tokenIdentity = identity.source.type === TOKEN_SOURCE.type ? tokenIdOf(identity.externalId) : null
  // Custodian's own tokens have no connector: the change is made to the token itself, in this transaction.
  let ownToken: { tokenId: string; action: { revoke: true } | { dropScope: string } } | null = null

  let targetLabel = identity.name
  const details: Record<string, unknown> = { kind: t.kind }
  // A gateway rule's grant is Custodian's own: revoking it is marking it revoked (the gateway then refuses the calls).
  let gateway = false
  if (t.kind === 'revoke_grant') {
    const grant = await tx.grant.findFirst({
      where: { id: t.grantId!, orgId, identityId: identity.id },
      select: {
        status: true,
        privileged: true,
        entitlement: { select: { name: true, externalId: true, resource: { select: { name: true } }, source: { select: { type: true } } } },
      },
    })
    if (!grant) throw new NotFoundError('Grant not found')
    gateway = grant.entitlement.source.type === GATEWAY_SOURCE_TYPE
    if (tokenIdentity && grant.entitlement.source.type === TOKEN_SOURCE.type && grant.entitlement.externalId)
      ownToken = { tokenId: tokenIdentity, action: { dropScope: grant.entitlement.externalId } }
    if (grant.status === 'revoked') throw new ConflictError('This grant is already revoked.')
    details.grantId = t.grantId
    details.entitlement = grant.entitlement.name
    details.resource = grant.entitlement.resource.name
    details.privileged = grant.privileged
    targetLabel = `${identity.name}: ${grant.entitlement.name} on ${grant.entitlement.resource.name}`
  } else if (t.kind === 'revoke_credential' || t.kind === 'rotate_credential') {
    const cred = await tx.credential.findFirst({
      where: { id: t.credentialId!, orgId, identityId: identity.id },
      select: { status: true, kind: true, label: true, externalId: true },
    })
    if (!cred) throw new NotFoundError('Credential not found')
    if (cred.status === 'revoked') throw new ConflictError('This credential is already revoked.')
    const tokenId = tokenIdOf(cred.externalId)
    if (tokenId && t.kind === 'rotate_credential')
      throw new ValidationError(
        'This is a Custodian token: rotate it in Settings → API tokens (or the identity’s gateway tokens), where the new secret is shown to whoever rotates it. Revoking it here works.',
      )
    if (tokenId) ownToken = { tokenId, action: { revoke: true } }
    details.credentialId = t.credentialId
    details.credentialKind = cred.kind
    targetLabel = `${identity.name}: ${cred.label ?? cred.kind}`
  } else if (t.kind === 'disable_identity') {
    if (identity.status !== 'active') throw new ConflictError(`This identity is already ${identity.status}.`)
    if (tokenIdentity) ownToken = { tokenId: tokenIdentity, action: { revoke: true } }
  } else if (t.kind === 'enable_identity') {
    if (identity.status !== 'quarantined' && identity.status !== 'disabled')
      throw new ConflictError(`Only a quarantined or disabled identity can be restored; this one is ${identity.status}.`)
  }

  const openKey = openKeyOf(t)
  const open = await tx.remediation.findUnique({ where: { openKey } })
  if (open) {
    if (open.kind === t.kind && open.orgId === orgId) return { remediation: open, created: false as const }
    throw new ConflictError(
      `${KIND_LABELS[open.kind as keyof typeof KIND_LABELS] ?? open.kind} is already ${open.status} for this target; wait for it or finish it first.`,
    )
  }

  const immediate = gateway || !!ownToken
  const mode = gateway ? 'gateway' : ownToken ? 'custodian' : resolveConnector(identity.source).mode
  const now = new Date()
  const ownDetail = ownToken ? await remediateToken(tx, orgId, ownToken.tokenId, ownToken.action, now) : null
  const appliedDetail = ownDetail ?? GATEWAY_REVOKED
  const rem = await tx.remediation.create({
    data: {
      orgId,
      identityId: identity.id,
      grantId: t.grantId ?? null,
      credentialId: t.credentialId ?? null,
      kind: t.kind,
      status: immediate ? 'applied' : 'pending',
      openKey: immediate ? null : openKey,
      justification: justification.data,
      requestedById: ctx.actor.type === 'user' ? ctx.actor.id : null,
      reviewItemId: input.reviewItemId ?? null,
      simulated: mode === 'simulated',
      ...(immediate ? { completedAt: now, detail: appliedDetail } : {}),
    },
  })
  const targetId = t.grantId ?? t.credentialId ?? identity.id
  const job = await enqueueJob(
    tx,
    REMEDIATION_JOBS[t.kind],
    { remediationId: rem.id, targetId },
    { orgId, createdById: ctx.actor.type === 'user' ? ctx.actor.id : null },
  )
  const remediation = await tx.remediation.update({ where: { id: rem.id, orgId }, data: { jobId: job.id } })

  if (t.kind === 'enable_identity') {
    // Restoring ends the quarantine: the scheduled deletion must not run.
    const quarantines = await tx.remediation.findMany({
      where: { orgId, identityId: identity.id, kind: 'disable_identity', status: 'applied', soakUntil: { not: null } },
      select: { id: true },
    })
    if (quarantines.length) {
      await tx.job.updateMany({
        where: {
          orgId,
          idempotencyKey: { in: quarantines.map((q) => deleteIdentityJob.key({ remediationId: q.id }, { orgId })) },
          status: { in: ['queued', 'retrying'] },
        },
        data: { status: 'canceled', finishedAt: new Date(), lastError: 'Canceled: the identity was restored during its quarantine.' },
      })
    }
  }
  // A revoked token's own identity was deleted with it (mirrorRevokedToken): disabling it would bring it back.
  if (immediate && !(ownToken && t.kind === 'disable_identity')) await applyEffects(tx, remediation, { now })
  await syncReviewItem(tx, remediation, immediate ? 'applied' : 'pending')
  await recordAudit(tx, ctx, {
    action: `remediation.request`,
    targetType: 'identity',
    targetId: identity.id,
    targetLabel,
    justification: justification.data,
    details: {
      ...details,
      remediationId: rem.id,
      jobId: job.id,
      mode,
      source: identity.source.name,
      ...(input.reviewItemId ? { reviewItemId: input.reviewItemId } : {}),
      ...(input.ownerRequestId ? { ownerRequestId: input.ownerRequestId } : {}),
    },
  })
  if (immediate) {
    // Applied in the request itself (the job that follows finds it done): the revocation reaches the gateway at commit.
    await recordAudit(tx, ctx, {
      action: 'remediation.applied',
      targetType: 'identity',
      targetId: identity.id,
      targetLabel,
      details: { remediationId: rem.id, kind: t.kind, simulated: false, detail: appliedDetail },
    })
    await emitEvent(tx, ctx.org.id, 'remediation.applied', {
      remediation: { id: rem.id, kind: t.kind, reviewItemId: input.reviewItemId ?? null, simulated: false },
      identity: { id: identity.id, name: targetLabel },
      detail: appliedDetail,
    })
  }
  return { remediation, created: true as const }
}

/**
 * A change asked for by naming only the credential or grant (the API): its identity is the one it belongs to in this
 * organization; another organization's credential or grant is not found.
 */
export async function requestRemediationOf(
  ctx: Ctx,
  input: { kind: 'rotate_credential' | 'revoke_credential' | 'revoke_grant'; targetId: string; justification: string },
) {
  assertCan(ctx, 'identity:remediate')
  try {
    return await db.$transaction(async (tx) => {
      const where = { id: input.targetId, orgId: ctx.org.id }
      const owner =
        input.kind === 'revoke_grant'
          ? await tx.grant.findFirst({ where, select: { identityId: true } })
          : await tx.credential.findFirst({ where, select: { identityId: true } })
      if (!owner) throw new NotFoundError(input.kind === 'revoke_grant' ? 'Grant not found' : 'Credential not found')
      const target = input.kind === 'revoke_grant' ? { grantId: input.targetId } : { credentialId: input.targetId }
      return requestOne(tx, ctx, { kind: input.kind, identityId: owner.identityId, ...target, justification: input.justification })
    })
  } catch (err) {
    throw mapPrismaError(err)
  }
}

/**
 * Many targets in one transaction (a bulk revoke on one identity, a campaign's revocations). Targets that are
 * already revoked are skipped and reported; anything else that fails rolls the whole request back.
 */
export async function requestRemediations(ctx: Ctx, targets: RemediationRequest[], tx?: Tx) {
  const run = async (t: Tx) => {
    const created: string[] = []
    const existing: string[] = []
    const skipped: { target: RemediationTarget; reason: string }[] = []
    for (const target of targets) {
      try {
        const r = await requestOne(t, ctx, target)
        ;(r.created ? created : existing).push(r.remediation.id)
      } catch (err) {
        if (err instanceof ConflictError) skipped.push({ target, reason: err.message })
        else throw err
      }
    }
    return { created, existing, skipped }
  }
  try {
    return tx ? await run(tx) : await db.$transaction(run, { timeout: 120_000, maxWait: 10_000 })
  } catch (err) {
    throw mapPrismaError(err)
  }
}

export async function requestBulkRemediation(ctx: UserCtx, input: { identityId: string; grantIds: string[]; credentialIds: string[]; justification: string }) {
  const targets = bulkTargets(input)
  if (targets.length === 0) throw new ValidationError('Select at least one grant or credential.')
  return requestRemediations(
    ctx,
    targets.map((t) => ({ ...t, justification: input.justification })),
  )
}

/** A person did what a manual task asked for at the source: record it and make the inventory match. */
export async function markRemediationDone(ctx: UserCtx, input: { remediationId: string; note?: string }) {
  assertCan(ctx, 'identity:remediate')
  return db.$transaction(async (tx) => {
    const rem = await tx.remediation.findFirst({ where: { id: input.remediationId, orgId: ctx.org.id }, include: { identity: { select: { name: true } } } })
    if (!rem) throw new NotFoundError('Task not found')
    if (rem.status !== 'manual') throw new ConflictError(`This task is ${rem.status}, not waiting for a person.`)
    const now = new Date()
    const done = await tx.remediation.updateMany({
      where: { id: rem.id, orgId: ctx.org.id, status: 'manual' },
      data: {
        status: 'applied',
        openKey: null,
        completedAt: now,
        completedById: ctx.user.id,
        detail: input.note ? `Done by hand: ${input.note}` : 'Done by hand.',
      },
    })
    if (done.count !== 1) throw new ConflictError('Someone else finished this task a moment ago.')
    await applyEffects(tx, rem, { now, quarantine: false })
    await syncReviewItem(tx, rem, 'applied')
    await recordAudit(tx, ctx, {
      action: 'remediation.mark-done',
      targetType: 'identity',
      targetId: rem.identityId,
      targetLabel: rem.identity.name,
      justification: input.note ?? null,
      details: { remediationId: rem.id, kind: rem.kind, grantId: rem.grantId, credentialId: rem.credentialId },
    })
    await emitEvent(tx, ctx.org.id, 'remediation.applied', {
      remediation: { id: rem.id, kind: rem.kind, reviewItemId: rem.reviewItemId, simulated: false, byHand: true },
      identity: { id: rem.identityId, name: rem.identity.name },
      detail: input.note ? `Done by hand: ${input.note}` : 'Done by hand.',
    })
    return { id: rem.id }
  })
}
