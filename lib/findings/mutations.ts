import 'server-only'
import { recordAudit } from '@/lib/audit/record'
import { assertCan, type Ctx, type UserCtx } from '@/lib/auth/org-context'
import { db, type Tx } from '@/lib/db'
import { ConflictError, NotFoundError, ValidationError } from '@/lib/errors'
import { rollupRange } from '@/lib/findings/engine'
import { prismaSql } from '@/lib/sql/prisma'
import { enqueueFindingsRecompute } from '@/lib/findings/jobs'
import type { AcceptFindingInput, PostureSettingsInput, RevokeAcceptanceInput } from '@/lib/findings/schemas'
import { orgSettingsSchema, parseOrgSettings, storedSettings } from '@/lib/settings/schemas'

type AcceptanceChange = { status: string; acceptedUntil: Date | null; acceptedReason: string | null; acceptedById: string | null; acceptedAt: Date | null }

/** The finding whose acceptance changes, with what the audit row keeps of it; another organization's is not found. */
async function findingToChange(tx: Tx, ctx: Ctx, findingId: string) {
  const finding = await tx.finding.findFirst({
    where: { id: findingId, orgId: ctx.org.id },
    select: {
      id: true,
      rule: true,
      owaspCode: true,
      status: true,
      identityId: true,
      acceptedById: true,
      acceptedAt: true,
      acceptedUntil: true,
      acceptedReason: true,
      identity: { select: { name: true } },
    },
  })
  if (!finding) throw new NotFoundError('Finding not found')
  return finding
}

/** Sets or clears a finding's acceptance, rescores its identity and records why, in the caller's transaction. */
async function changeAcceptance(
  tx: Tx,
  ctx: Ctx,
  finding: Awaited<ReturnType<typeof findingToChange>>,
  data: AcceptanceChange,
  action: 'finding.accept' | 'finding.accept-revoked',
  justification: string,
  details: Record<string, unknown>,
) {
  await tx.finding.update({ where: { id: finding.id, orgId: ctx.org.id }, data })
  await rollupRange(prismaSql(tx), ctx.org.id, finding.identityId, finding.identityId)
  await recordAudit(tx, ctx, {
    action,
    targetType: 'identity',
    targetId: finding.identityId,
    targetLabel: finding.identity.name,
    justification,
    details: { findingId: finding.id, rule: finding.rule, owaspCode: finding.owaspCode, ...details },
  })
}

/** Accepts an open finding as a risk until a date; the recompute reopens it once that date has passed. */
export async function acceptFinding(ctx: Ctx, input: AcceptFindingInput) {
  assertCan(ctx, 'finding:accept')
  const until = new Date(`${input.until}T23:59:59.999Z`)
  return db.$transaction(async (tx) => {
    const finding = await findingToChange(tx, ctx, input.findingId)
    if (finding.status === 'resolved') throw new ConflictError('This finding is already resolved; there is no risk left to accept.')
    // A token's acceptance names no person; its audit row names the token.
    const data = {
      status: 'accepted',
      acceptedUntil: until,
      acceptedReason: input.reason,
      acceptedById: 'user' in ctx ? ctx.user.id : null,
      acceptedAt: new Date(),
    }
    await changeAcceptance(tx, ctx, finding, data, 'finding.accept', input.reason, { until: until.toISOString(), previousStatus: finding.status })
    return { id: finding.id, acceptedUntil: until }
  })
}

/** Ends an accepted risk before its date: the finding is open again, and the audit row keeps what was accepted. */
export async function revokeAcceptance(ctx: UserCtx, input: RevokeAcceptanceInput) {
  assertCan(ctx, 'finding:accept')
  return db.$transaction(async (tx) => {
    const finding = await findingToChange(tx, ctx, input.findingId)
    if (finding.status !== 'accepted') throw new ConflictError(`This finding is ${finding.status}, not an accepted risk.`)
    const data = { status: 'open', acceptedUntil: null, acceptedReason: null, acceptedById: null, acceptedAt: null }
    await changeAcceptance(tx, ctx, finding, data, 'finding.accept-revoked', input.reason, {
      was: {
        acceptedById: finding.acceptedById,
        acceptedAt: finding.acceptedAt?.toISOString() ?? null,
        until: finding.acceptedUntil?.toISOString() ?? null,
        reason: finding.acceptedReason,
      },
    })
    return { id: finding.id }
  })
}

export async function requestFindingsRecompute(ctx: UserCtx) {
  assertCan(ctx, 'job:manage')
  return db.$transaction(async (tx) => {
    const job = await enqueueFindingsRecompute(tx, ctx, { reason: 'manual' })
    await recordAudit(tx, ctx, { action: 'finding.recompute', targetType: 'job', targetId: job.id, details: { jobId: job.id } })
    return { jobId: job.id }
  })
}

/** Saves the posture thresholds over the stored settings (other settings are kept) and recomputes findings. */
export async function updatePostureSettings(ctx: UserCtx, input: PostureSettingsInput) {
  assertCan(ctx, 'settings:manage')
  return db.$transaction(async (tx) => {
    const org = await tx.organization.findUniqueOrThrow({ where: { id: ctx.org.id }, select: { settings: true } })
    const stored = storedSettings(org.settings)
    const { orgSlug: _slug, ...thresholds } = input
    const parsed = orgSettingsSchema.safeParse({ ...stored, ...thresholds })
    if (!parsed.success) {
      const fieldErrors: Record<string, string[]> = {}
      for (const issue of parsed.error.issues) (fieldErrors[String(issue.path[0])] ??= []).push(issue.message)
      throw new ValidationError('Some settings are out of range.', fieldErrors)
    }
    // The values in force before (defaults included), so the row reads "90 → 45" rather than "none → 45".
    const effective = parseOrgSettings(org.settings) as Record<string, unknown>
    const before = Object.fromEntries(Object.keys(thresholds).map((k) => [k, stored[k] ?? effective[k] ?? null]))
    await tx.organization.update({ where: { id: ctx.org.id }, data: { settings: JSON.stringify(parsed.data) } })
    const job = await enqueueFindingsRecompute(tx, ctx, { reason: 'settings' })
    await recordAudit(tx, ctx, {
      action: 'settings.update',
      targetType: 'organization',
      targetId: ctx.org.id,
      targetLabel: ctx.org.name,
      details: { before, after: thresholds, recomputeJobId: job.id },
    })
    return parsed.data
  })
}
