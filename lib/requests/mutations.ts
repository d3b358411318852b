import 'server-only'
import { auditTarget, recordAudit } from '@/lib/audit/record'
import { assertCan, type UserCtx } from '@/lib/auth/org-context'
import { db, type Tx } from '@/lib/db'
import { ConflictError, ForbiddenError, mapPrismaError, NotFoundError, ValidationError } from '@/lib/errors'
import { getOrgSettings } from '@/lib/inventory/queries'
import { notify } from '@/lib/notifications/notify'
import { requestRemediation } from '@/lib/remediation/mutations'
import { openKeyOf } from '@/lib/remediation/schemas'
import { OWNER_REQUEST_LABELS, type DecideOwnerRequestInput, type OwnerRequestInput, type OwnerRequestKind } from '@/lib/requests/schemas'
import { orgSettingsSchema, storedSettings } from '@/lib/settings/schemas'

const TX = { timeout: 30_000, maxWait: 10_000 }

const VERB: Record<OwnerRequestKind, string> = { revoke_grant: 'revoke', revoke_credential: 'revoke', rotate_credential: 'rotate' }

/** The target of an owner's request in this organization and on this identity, and whether it is privileged. */
async function readTarget(
  tx: Tx,
  orgId: string,
  identity: { id: string; name: string; privileged: boolean },
  input: Pick<OwnerRequestInput, 'kind' | 'grantId' | 'credentialId'>,
) {
  if (input.kind === 'revoke_grant') {
    const g = await tx.grant.findFirst({
      where: { id: input.grantId ?? '', orgId, identityId: identity.id },
      select: { status: true, privileged: true, entitlement: { select: { name: true, resource: { select: { name: true } } } } },
    })
    if (!g) throw new NotFoundError('Grant not found')
    if (g.status === 'revoked') throw new ConflictError('This grant is already revoked.')
    return { label: `${g.entitlement.name} on ${g.entitlement.resource.name}`, privileged: g.privileged }
  }
  const c = await tx.credential.findFirst({
    where: { id: input.credentialId ?? '', orgId, identityId: identity.id },
    select: { status: true, kind: true, label: true },
  })
  if (!c) throw new NotFoundError('Credential not found')
  if (c.status === 'revoked') throw new ConflictError('This credential is already revoked.')
  // A credential opens everything its identity can reach: it is privileged when the identity is.
  return { label: `${c.label ?? c.kind.replace('_', ' ')}`, privileged: identity.privileged }
}

/**
 * An owner (or backup owner) asks to revoke a grant, or to revoke or rotate a credential, of their identity. Where the
 * organization lets owners act directly and the item is not privileged, the remediation runs at once (recorded as a
 * direct owner action); otherwise the request waits for governance, who are notified.
 */
export async function createOwnerRequest(ctx: UserCtx, input: OwnerRequestInput) {
  assertCan(ctx, 'identity:attest')
  const settings = await getOrgSettings(ctx)
  const orgId = ctx.org.id
  try {
    return await db.$transaction(async (tx) => {
      const identity = await tx.identity.findFirst({
        where: { id: input.identityId, orgId },
        select: { id: true, name: true, ownerId: true, backupOwnerId: true, privileged: true },
      })
      if (!identity) throw new NotFoundError('Identity not found')
      if (identity.ownerId !== ctx.user.id && identity.backupOwnerId !== ctx.user.id) {
        throw new ForbiddenError('Only the owner or backup owner of this identity can ask for changes to its access.')
      }
      const target = await readTarget(tx, orgId, identity, input)
      const openKey = openKeyOf(input)
      if (await tx.ownerRequest.findUnique({ where: { openKey }, select: { id: true } }))
        throw new ConflictError('A request for this is already waiting for governance.')
      if (await tx.remediation.findUnique({ where: { openKey }, select: { id: true } }))
        throw new ConflictError('A change to this is already under way; see its status on the identity page.')
      const details = {
        kind: input.kind,
        grantId: input.grantId ?? null,
        credentialId: input.credentialId ?? null,
        target: target.label,
        privileged: target.privileged,
      }
      const targetLabel = `${identity.name}: ${target.label}`
      const base = {
        orgId,
        identityId: identity.id,
        grantId: input.grantId ?? null,
        credentialId: input.credentialId ?? null,
        kind: input.kind,
        justification: input.justification,
        requestedById: ctx.user.id,
        privileged: target.privileged,
      }

      // The setting never reaches privileged items: those always wait for governance.
      if (settings.ownersActDirectly && !target.privileged) {
        const req = await tx.ownerRequest.create({ data: { ...base, status: 'approved', direct: true, decidedById: ctx.user.id, decidedAt: new Date() } })
        await recordAudit(tx, ctx, {
          action: 'owner-request.direct',
          targetType: 'identity',
          targetId: identity.id,
          targetLabel,
          justification: input.justification,
          details: { ...details, ownerRequestId: req.id },
        })
        const r = await requestRemediation(
          ctx,
          {
            kind: input.kind,
            identityId: identity.id,
            grantId: input.grantId,
            credentialId: input.credentialId,
            justification: input.justification,
            ownerRequestId: req.id,
          },
          tx,
        )
        await tx.ownerRequest.update({ where: { id: req.id, orgId: ctx.org.id }, data: { remediationId: r.remediation.id } })
        return { ownerRequestId: req.id, status: 'applying' as const, remediationId: r.remediation.id }
      }

      const req = await tx.ownerRequest.create({ data: { ...base, status: 'pending', openKey } })
      await recordAudit(tx, ctx, {
        action: 'owner-request.create',
        targetType: 'identity',
        targetId: identity.id,
        targetLabel,
        justification: input.justification,
        details: { ...details, ownerRequestId: req.id },
      })
      const approvers = await tx.membership.findMany({
        where: { orgId, status: 'active', role: { in: ['admin', 'governance'] }, user: { active: true }, userId: { not: ctx.user.id } },
        select: { userId: true },
      })
      await notify(
        tx,
        approvers.map((a) => ({
          orgId,
          userId: a.userId,
          kind: 'owner-request.created',
          title: `${ctx.user.name} asks to ${VERB[input.kind]} ${target.label} of ${identity.name}`,
          body: `${ctx.user.name} (owner) asks: ${OWNER_REQUEST_LABELS[input.kind].toLowerCase()} ${target.label} of ${identity.name}${target.privileged ? ' (privileged)' : ''}. Reason: “${input.justification}”. Approve or reject it in Requests.`,
          link: `/${ctx.org.slug}/requests`,
        })),
      )
      return { ownerRequestId: req.id, status: 'pending' as const, remediationId: null }
    }, TX)
  } catch (err) {
    throw mapPrismaError(err)
  }
}

/** Governance approves (the remediation runs through the same path as any other) or rejects with a reason; the owner is told. */
export async function decideOwnerRequest(ctx: UserCtx, input: DecideOwnerRequestInput) {
  assertCan(ctx, 'identity:remediate')
  const reason = input.reason?.trim() || null
  if (!input.approve && (!reason || reason.length < 5))
    throw new ValidationError('Say why you reject it: the owner is told.', { reason: ['Say why, in at least 5 characters.'] })
  try {
    return await db.$transaction(async (tx) => {
      const req = await tx.ownerRequest.findFirst({ where: { id: input.ownerRequestId, orgId: ctx.org.id }, include: { identity: { select: { name: true } } } })
      if (!req) throw new NotFoundError('Request not found')
      if (req.status !== 'pending') throw new ConflictError(`This request was already ${req.status}.`)
      // Separation of duties: whoever asked does not also approve.
      if (req.requestedById === ctx.user.id) throw new ForbiddenError('Only the governance team can decide this request, and not the person who asked for it.')
      const now = new Date()
      const claimed = await tx.ownerRequest.updateMany({
        where: { id: req.id, orgId: ctx.org.id, status: 'pending' },
        data: { status: input.approve ? 'approved' : 'rejected', openKey: null, decidedById: ctx.user.id, decidedAt: now, decisionReason: reason },
      })
      if (claimed.count !== 1) throw new ConflictError('Someone decided this request a moment ago.')
      let remediationId: string | null = null
      if (input.approve) {
        try {
          const r = await requestRemediation(
            ctx,
            {
              kind: req.kind as OwnerRequestKind,
              identityId: req.identityId,
              grantId: req.grantId ?? undefined,
              credentialId: req.credentialId ?? undefined,
              justification: req.justification,
              ownerRequestId: req.id,
            },
            tx,
          )
          remediationId = r.remediation.id
        } catch (err) {
          if (err instanceof ConflictError) throw new ConflictError(`${err.message} Reject the request with that reason instead.`)
          throw err
        }
        await tx.ownerRequest.update({ where: { id: req.id, orgId: ctx.org.id }, data: { remediationId } })
      }
      await recordAudit(tx, ctx, {
        action: input.approve ? 'owner-request.approve' : 'owner-request.reject',
        targetType: 'identity',
        targetId: req.identityId,
        targetLabel: req.identity.name,
        justification: reason,
        details: {
          ownerRequestId: req.id,
          kind: req.kind,
          grantId: req.grantId,
          credentialId: req.credentialId,
          requestedById: req.requestedById,
          remediationId,
        },
      })
      await notify(tx, [
        {
          orgId: ctx.org.id,
          userId: req.requestedById,
          kind: input.approve ? 'owner-request.approved' : 'owner-request.rejected',
          title: `${ctx.user.name} ${input.approve ? 'approved' : 'rejected'} your request on ${req.identity.name}`,
          body: input.approve
            ? `${OWNER_REQUEST_LABELS[req.kind as OwnerRequestKind] ?? req.kind} on ${req.identity.name} was approved and is being carried out.${reason ? ` Note: “${reason}”` : ''}`
            : `${OWNER_REQUEST_LABELS[req.kind as OwnerRequestKind] ?? req.kind} on ${req.identity.name} was rejected. Reason: “${reason}”`,
          link: `/${ctx.org.slug}/identities/${req.identityId}`,
        },
      ])
      return { ownerRequestId: req.id, status: input.approve ? ('approved' as const) : ('rejected' as const), remediationId }
    }, TX)
  } catch (err) {
    throw mapPrismaError(err)
  }
}

/** Turns the organization's "owners act directly on non-privileged items" setting on or off; other settings are kept. */
export async function updateOwnerActionsSetting(ctx: UserCtx, input: { ownersActDirectly: boolean }) {
  assertCan(ctx, 'settings:manage')
  return db.$transaction(async (tx) => {
    const org = await tx.organization.findUniqueOrThrow({ where: { id: ctx.org.id }, select: { settings: true } })
    const stored = storedSettings(org.settings)
    const before = stored.ownersActDirectly === true
    const parsed = orgSettingsSchema.safeParse({ ...stored, ownersActDirectly: input.ownersActDirectly })
    if (!parsed.success) throw new ValidationError('The stored settings are out of range; fix the posture thresholds first.')
    await tx.organization.update({ where: { id: ctx.org.id }, data: { settings: JSON.stringify(parsed.data) } })
    await recordAudit(tx, ctx, {
      action: 'settings.update',
      ...auditTarget('organization', ctx.org),
      details: { before: { ownersActDirectly: before }, after: { ownersActDirectly: input.ownersActDirectly } },
    })
    return { ownersActDirectly: parsed.data.ownersActDirectly }
  })
}
