import 'server-only'
import { emitEvent } from '@/lib/webhooks/emit'
import { recordAudit, recordAuditMany, type AuditEntry } from '@/lib/audit/record'
import { assertCan, type Ctx, type UserCtx } from '@/lib/auth/org-context'
import { resolveConnector } from '@/lib/connectors/registry'
import { db, type Tx } from '@/lib/db'
import { ConflictError, mapPrismaError, NotFoundError, ValidationError } from '@/lib/errors'
import { GATEWAY_SOURCE_TYPE } from '@/lib/gateway/source'
import { remediateToken, TOKEN_SOURCE, tokenIdOf } from '@/lib/api-tokens/inventory'
import { jobRow } from '@/lib/jobs/define'
import { enqueueJob, enqueueNewJobs } from '@/lib/jobs/queue'
import { insertRows, newId, type Columns } from '@/lib/sql/bulk'
import { prismaSql } from '@/lib/sql/prisma'
import type { Prisma, Remediation } from '@/lib/generated/sqlite/client'
import { deleteIdentityJob, REMEDIATION_JOBS } from '@/lib/remediation/jobs'
import { applyEffects, syncReviewItem, syncReviewItems } from '@/lib/remediation/outcome'
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

const IDENTITY_SELECT = {
  id: true,
  name: true,
  status: true,
  externalId: true,
  source: { select: { id: true, name: true, type: true, config: true, secretRef: true } },
} as const
const GRANT_SELECT = {
  id: true,
  identityId: true,
  status: true,
  privileged: true,
  entitlement: { select: { name: true, externalId: true, resource: { select: { name: true } }, source: { select: { type: true } } } },
} as const
const CREDENTIAL_SELECT = { id: true, identityId: true, status: true, kind: true, label: true, externalId: true } as const
type OpenRemediation = { id: string; kind: string; orgId: string; status: string }

/**
 * Many requests in one transaction (requestRemediations): what they look up is read up front, a few statements for
 * all, and the rows of the usual case (a change a job will make at the source) are written together at the end —
 * remediations, jobs, review items and audit rows each in one multi-row statement. What is applied at once (Custodian's
 * own tokens, gateway rules) or cancels a quarantine is written as it comes, and what it touched is read again after.
 */
type RequestBatch = {
  identities: Map<string, Prisma.IdentityGetPayload<{ select: typeof IDENTITY_SELECT }>>
  grants: Map<string, Prisma.GrantGetPayload<{ select: typeof GRANT_SELECT }>>
  credentials: Map<string, Prisma.CredentialGetPayload<{ select: typeof CREDENTIAL_SELECT }>>
  reviewItems: Map<string, { identityId: string; decision: string | null }>
  open: Map<string, OpenRemediation>
  jobs: (ReturnType<typeof jobRow> & { id: string })[]
  remediations: PendingRemediation[]
  audit: AuditEntry[]
}

async function preload(tx: Tx, orgId: string, targets: readonly RemediationRequest[]): Promise<RequestBatch> {
  const ids = (f: (t: RemediationRequest) => string | null | undefined) => [...new Set(targets.map(f).filter((v): v is string => typeof v === 'string'))]
  const [identities, grants, credentials, reviewItems, open] = await Promise.all([
    tx.identity.findMany({ where: { orgId, id: { in: ids((t) => t.identityId) } }, select: IDENTITY_SELECT }),
    tx.grant.findMany({ where: { orgId, id: { in: ids((t) => t.grantId) } }, select: GRANT_SELECT }),
    tx.credential.findMany({ where: { orgId, id: { in: ids((t) => t.credentialId) } }, select: CREDENTIAL_SELECT }),
    tx.reviewItem.findMany({ where: { orgId, id: { in: ids((t) => t.reviewItemId) } }, select: { id: true, identityId: true, decision: true } }),
    tx.remediation.findMany({
      where: { openKey: { in: ids((t) => (typeof t.identityId === 'string' ? openKeyOf(t) : null)) } },
      select: { id: true, kind: true, orgId: true, status: true, openKey: true },
    }),
  ])
  return {
    identities: new Map(identities.map((r) => [r.id, r])),
    grants: new Map(grants.map((r) => [r.id, r])),
    credentials: new Map(credentials.map((r) => [r.id, r])),
    reviewItems: new Map(reviewItems.map((r) => [r.id, r])),
    open: new Map(open.map((r) => [r.openKey!, r])),
    jobs: [],
    remediations: [],
    audit: [],
  }
}

type PendingRemediation = {
  id: string
  orgId: string
  identityId: string
  grantId: string | null
  credentialId: string | null
  kind: string
  openKey: string
  justification: string
  requestedById: string | null
  reviewItemId: string | null
  simulated: boolean
  jobId: string
}
const REMEDIATION_COLUMNS = [
  ['id', 'text'],
  ['orgId', 'text'],
  ['identityId', 'text'],
  ['grantId', 'text'],
  ['credentialId', 'text'],
  ['kind', 'text'],
  ['status', 'text'],
  ['openKey', 'text'],
  ['justification', 'text'],
  ['requestedById', 'text'],
  ['reviewItemId', 'text'],
  ['jobId', 'text'],
  ['simulated', 'bool'],
  ['createdAt', 'date'],
  ['updatedAt', 'date'],
] as const satisfies Columns

/**
 * Writes what a batch collected: jobs, remediations, their review items and audit rows, each in multi-row statements
 * (Prisma's createMany spent ~1 ms a row here on SQLite; these take a few µs).
 */
async function flush(tx: Tx, ctx: Ctx, b: RequestBatch) {
  await enqueueNewJobs(tx, b.jobs)
  const now = new Date()
  await insertRows(
    prismaSql(tx),
    'Remediation',
    REMEDIATION_COLUMNS,
    b.remediations.map((r) => {
      const row: Record<string, unknown> = { ...r, status: 'pending', createdAt: now, updatedAt: now }
      return REMEDIATION_COLUMNS.map(([c]) => row[c])
    }),
  )
  await syncReviewItems(
    tx,
    b.remediations.map((r) => ({ orgId: r.orgId, reviewItemId: r.reviewItemId ?? null })),
    'pending',
  )
  await recordAuditMany(tx, ctx, b.audit)
}

async function requestOne(tx: Tx, ctx: Ctx, input: RemediationRequest): Promise<{ remediation: Remediation; created: boolean }>
async function requestOne(tx: Tx, ctx: Ctx, input: RemediationRequest, batch: RequestBatch): Promise<{ remediation: { id: string }; created: boolean }>
async function requestOne(tx: Tx, ctx: Ctx, input: RemediationRequest, batch?: RequestBatch): Promise<{ remediation: { id: string }; created: boolean }> {
  const parsedTarget = remediationTargetSchema.safeParse(input)
  if (!parsedTarget.success) throw new ValidationError(parsedTarget.error.issues[0]?.message ?? 'Invalid target')
  const justification = justificationSchema.safeParse(input.justification)
  if (!justification.success) throw new ValidationError(justification.error.issues[0].message, { justification: [justification.error.issues[0].message] })
  const t = parsedTarget.data
  const orgId = ctx.org.id

  if (input.reviewItemId) {
    const item = batch
      ? batch.reviewItems.get(input.reviewItemId)
      : await tx.reviewItem.findFirst({ where: { id: input.reviewItemId, orgId }, select: { identityId: true, decision: true } })
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

  const identity = batch?.identities.get(t.identityId) ?? (await tx.identity.findFirst({ where: { id: t.identityId, orgId }, select: IDENTITY_SELECT }))
  if (!identity) throw new NotFoundError('Identity not found')
  const tokenIdentity = identity.source.type === TOKEN_SOURCE.type ? tokenIdOf(identity.externalId) : null
  // Custodian's own tokens have no connector: the change is made to the token itself, in this transaction.
  let ownToken: { tokenId: string; action: { revoke: true } | { dropScope: string } } | null = null

  let targetLabel = identity.name
  const details: Record<string, unknown> = { kind: t.kind }
  // A gateway rule's grant is Custodian's own: revoking it is marking it revoked (the gateway then refuses the calls).
  let gateway = false
  if (t.kind === 'revoke_grant') {
    const found = batch?.grants.get(t.grantId!) ?? (await tx.grant.findFirst({ where: { id: t.grantId!, orgId }, select: GRANT_SELECT }))
    const grant = found?.identityId === identity.id ? found : null
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
    const found =
      batch?.credentials.get(t.credentialId!) ?? (await tx.credential.findFirst({ where: { id: t.credentialId!, orgId }, select: CREDENTIAL_SELECT }))
    const cred = found?.identityId === identity.id ? found : null
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
  const open: OpenRemediation | null = batch ? (batch.open.get(openKey) ?? null) : await tx.remediation.findUnique({ where: { openKey } })
  if (open) {
    if (open.kind === t.kind && open.orgId === orgId) return { remediation: open, created: false as const }
    throw new ConflictError(
      `${KIND_LABELS[open.kind as keyof typeof KIND_LABELS] ?? open.kind} is already ${open.status} for this target; wait for it or finish it first.`,
    )
  }

  const immediate = gateway || !!ownToken
  const mode = gateway ? 'gateway' : ownToken ? 'custodian' : resolveConnector(identity.source).mode
  const requestedById = ctx.actor.type === 'user' ? ctx.actor.id : null
  const targetId = t.grantId ?? t.credentialId ?? identity.id
  const requestAudit = (remediationId: string, jobId: string): AuditEntry => ({
    action: `remediation.request`,
    targetType: 'identity',
    targetId: identity.id,
    targetLabel,
    justification: justification.data,
    details: {
      ...details,
      remediationId,
      jobId,
      mode,
      source: identity.source.name,
      ...(input.reviewItemId ? { reviewItemId: input.reviewItemId } : {}),
      ...(input.ownerRequestId ? { ownerRequestId: input.ownerRequestId } : {}),
    },
  })
  if (batch && !immediate && t.kind !== 'enable_identity') {
    // The usual case, collected for the batch's multi-row writes (flush): the same rows the code below writes one by one.
    const id = newId()
    const jobId = newId()
    batch.jobs.push({ id: jobId, ...jobRow(REMEDIATION_JOBS[t.kind], { remediationId: id, targetId }, { orgId, createdById: requestedById }) })
    batch.remediations.push({
      id,
      orgId,
      identityId: identity.id,
      grantId: t.grantId ?? null,
      credentialId: t.credentialId ?? null,
      kind: t.kind,
      openKey,
      justification: justification.data,
      requestedById,
      reviewItemId: input.reviewItemId ?? null,
      simulated: mode === 'simulated',
      jobId,
    })
    batch.open.set(openKey, { id, kind: t.kind, orgId, status: 'pending' })
    batch.audit.push(requestAudit(id, jobId))
    return { remediation: { id }, created: true as const }
  }
  // Written now: what a later request of the batch looks up about this target is read again.
  batch?.identities.delete(identity.id)
  if (t.grantId) batch?.grants.delete(t.grantId)
  if (t.credentialId) batch?.credentials.delete(t.credentialId)
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
      requestedById,
      reviewItemId: input.reviewItemId ?? null,
      simulated: mode === 'simulated',
      ...(immediate ? { completedAt: now, detail: appliedDetail } : {}),
    },
  })
  const job = await enqueueJob(tx, REMEDIATION_JOBS[t.kind], { remediationId: rem.id, targetId }, { orgId, createdById: requestedById })
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
  await recordAudit(tx, ctx, requestAudit(rem.id, job.id))
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
    const batch = await preload(t, ctx.org.id, targets)
    for (const target of targets) {
      try {
        const r = await requestOne(t, ctx, target, batch)
        ;(r.created ? created : existing).push(r.remediation.id)
      } catch (err) {
        if (err instanceof ConflictError) skipped.push({ target, reason: err.message })
        else throw err
      }
    }
    await flush(t, ctx, batch)
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
