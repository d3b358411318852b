import 'server-only'
import { emitEvent } from '@/lib/webhooks/emit'
import { z } from 'zod'
import { recordAudit } from '@/lib/audit/record'
import type { SystemCtx } from '@/lib/auth/org-context'
import { canAct, connectorContext, resolveConnector, webhookFor } from '@/lib/connectors/registry'
import type { ActionKind, ActionResult, ActionTarget } from '@/lib/connectors/types'
import { postWebhook } from '@/lib/connectors/webhook'
import { db } from '@/lib/db'
import { env, secretFromEnv } from '@/lib/env'
import { settleFindings } from '@/lib/findings/recompute'
import { defineJob, PermanentJobError, recordId, type JobRun } from '@/lib/jobs/define'
import { enqueueJob } from '@/lib/jobs/queue'
import { applyEffects, syncReviewItem } from '@/lib/remediation/outcome'
import type { REQUESTABLE_KINDS } from '@/lib/remediation/schemas'

function loadRemediation(ctx: SystemCtx, id: string) {
  return db.remediation.findFirst({
    where: { id, orgId: ctx.org.id },
    include: {
      identity: {
        select: {
          id: true,
          name: true,
          externalId: true,
          status: true,
          source: { select: { id: true, name: true, type: true, config: true, secretRef: true } },
        },
      },
    },
  })
}
type Loaded = NonNullable<Awaited<ReturnType<typeof loadRemediation>>>

async function actionTarget(rem: Loaded): Promise<ActionTarget> {
  const target: ActionTarget = { identityExternalId: rem.identity.externalId }
  if (rem.grantId) {
    const g = await db.grant.findFirst({
      where: { id: rem.grantId, orgId: rem.orgId },
      select: { entitlement: { select: { externalId: true, name: true, resource: { select: { externalId: true, name: true } } } } },
    })
    if (!g) throw new PermanentJobError('The grant no longer exists in the inventory.')
    target.grant = {
      resourceExternalId: g.entitlement.resource.externalId,
      entitlementExternalId: g.entitlement.externalId,
      entitlementName: g.entitlement.name,
      resourceName: g.entitlement.resource.name,
    }
  }
  if (rem.credentialId) {
    const c = await db.credential.findFirst({ where: { id: rem.credentialId, orgId: rem.orgId }, select: { externalId: true, id: true } })
    if (!c) throw new PermanentJobError('The credential no longer exists in the inventory.')
    target.credentialExternalId = c.externalId ?? undefined
  }
  return target
}

/** What a person must do at the source, in words. */
export function manualInstructions(kind: string, t: ActionTarget, sourceName: string): string {
  const who = `"${t.identityExternalId}" in ${sourceName}`
  switch (kind) {
    case 'revoke_grant':
      return `Remove ${t.grant?.entitlementName ?? 'the permission'} on ${t.grant?.resourceName ?? 'the resource'} from ${who}, then mark this task done.`
    case 'disable_identity':
      return `Disable ${who} (block its sign-in, keep it restorable), then mark this task done.`
    case 'enable_identity':
      return `Re-enable ${who}, then mark this task done.`
    case 'delete_identity':
      return `Delete ${who}; its quarantine ended. Then mark this task done.`
    case 'revoke_credential':
      return `Revoke or delete credential ${t.credentialExternalId ?? ''} of ${who}, then mark this task done.`.replace('  ', ' ')
    case 'rotate_credential':
      return `Rotate credential ${t.credentialExternalId ?? ''} of ${who}, update its consumers, then mark this task done.`.replace('  ', ' ')
    default:
      return `Apply "${kind}" to ${who}, then mark this task done.`
  }
}

/** Error text for people and rows: never a secret the source config names, even if a driver echoed it. */
function redact(message: string, secrets: (string | undefined)[]) {
  let m = message
  for (const s of secrets) if (s && s.length >= 4) m = m.split(s).join('[redacted]')
  return m.slice(0, 2000)
}

async function act(rem: Loaded, kind: ActionKind, target: ActionTarget): Promise<ActionResult & { via?: string }> {
  const source = rem.identity.source
  const { connector, config } = resolveConnector(source)
  let result: ActionResult
  if (canAct(connector, kind)) {
    result = await connector.act!(connectorContext(source, config), kind, target)
  } else {
    result = { status: 'manual', instructions: manualInstructions(kind, target, source.name) }
  }
  if (env().testActDelayMs > 0) await new Promise((r) => setTimeout(r, env().testActDelayMs))
  if (result.status === 'manual') {
    const hook = webhookFor(source, config)
    if (hook) {
      // The customer's automation gets the request; the task stays open until a person (or their automation) marks it done.
      await postWebhook(hook, {
        id: rem.id,
        type: 'remediation.requested',
        kind,
        source: { id: source.id, name: source.name, type: source.type },
        identity: { id: rem.identityId, externalId: target.identityExternalId, name: rem.identity.name },
        grant: target.grant ?? null,
        credential: target.credentialExternalId ?? null,
        justification: rem.justification,
        requestedAt: rem.createdAt.toISOString(),
      })
      return { ...result, via: new URL(hook.url).host }
    }
  }
  return result
}

async function recordFailure(ctx: SystemCtx, rem: Loaded, message: string, final: boolean) {
  if (!final) {
    await db.remediation.updateMany({ where: { id: rem.id, orgId: ctx.org.id, status: 'pending' }, data: { lastError: message } })
    return
  }
  await db.$transaction(async (tx) => {
    const n = await tx.remediation.updateMany({
      where: { id: rem.id, orgId: ctx.org.id, status: 'pending' },
      data: { status: 'failed', lastError: message, openKey: null, completedAt: new Date() },
    })
    if (n.count !== 1) return
    await syncReviewItem(tx, rem, 'failed', message)
    await recordAudit(tx, ctx, {
      action: `remediation.failed`,
      targetType: 'identity',
      targetId: rem.identityId,
      targetLabel: rem.identity.name,
      outcome: 'failure',
      details: { remediationId: rem.id, kind: rem.kind, error: message },
    })
    await emitEvent(tx, ctx.org.id, 'remediation.failed', {
      remediation: { id: rem.id, kind: rem.kind, reviewItemId: rem.reviewItemId },
      identity: { id: rem.identityId, name: rem.identity.name },
      error: message,
    })
  })
}

const remediationPayload = z.object({ remediationId: recordId, /** the grant, credential or identity acted on */ targetId: recordId })
type RemediationPayload = z.output<typeof remediationPayload>

async function runRemediation({ ctx, job, payload }: JobRun<RemediationPayload>) {
  const rem = await loadRemediation(ctx, payload.remediationId)
  if (!rem) throw new PermanentJobError('The remediation no longer exists.')
  // Already recorded (a re-run after the outcome committed): nothing to do, and nothing is done twice.
  if (rem.status !== 'pending') return { skipped: rem.status }
  const kind = rem.kind as ActionKind
  const secrets = [secretFromEnv(rem.identity.source.secretRef)]
  let result: Awaited<ReturnType<typeof act>>
  try {
    result = await act(rem, kind, await actionTarget(rem))
  } catch (err) {
    const permanent = err instanceof PermanentJobError || (err as { permanent?: boolean }).permanent === true
    const message = redact(err instanceof Error ? err.message : String(err), secrets)
    const final = permanent || job.attempts >= job.maxAttempts
    await recordFailure(ctx, rem, message, final)
    throw permanent ? new PermanentJobError(message) : new Error(message)
  }
  const outcome = await db.$transaction(async (tx) => {
    const now = new Date()
    const applied = result.status === 'applied'
    const detail = result.status === 'applied' ? (result.detail ?? null) : result.via ? `Sent to your automation at ${result.via}.` : null
    const n = await tx.remediation.updateMany({
      where: { id: rem.id, orgId: ctx.org.id, status: 'pending' },
      data: applied
        ? { status: 'applied', openKey: null, completedAt: now, detail, lastError: null }
        : { status: 'manual', instructions: (result as { instructions: string }).instructions, detail, lastError: null },
    })
    if (n.count !== 1) return 'skipped'
    let soakUntil: Date | null = null
    if (applied) soakUntil = (await applyEffects(tx, rem, { now })).soakUntil
    if (soakUntil) {
      await tx.remediation.update({ where: { id: rem.id, orgId: ctx.org.id }, data: { soakUntil } })
      // The quarantine ends in a deletion at the source, unless the identity is restored first (which cancels this job).
      await enqueueJob(tx, deleteIdentityJob, { remediationId: rem.id }, { orgId: rem.orgId, runAt: soakUntil })
    }
    await syncReviewItem(tx, rem, applied ? 'applied' : 'manual')
    await recordAudit(tx, ctx, {
      action: applied ? 'remediation.applied' : 'remediation.manual',
      targetType: 'identity',
      targetId: rem.identityId,
      targetLabel: rem.identity.name,
      details: { remediationId: rem.id, kind, simulated: rem.simulated, detail, ...(soakUntil ? { quarantinedUntil: soakUntil.toISOString() } : {}) },
    })
    if (applied)
      await emitEvent(tx, ctx.org.id, 'remediation.applied', {
        remediation: { id: rem.id, kind, reviewItemId: rem.reviewItemId, simulated: rem.simulated },
        identity: { id: rem.identityId, name: rem.identity.name },
        detail,
      })
    return applied ? 'applied' : 'manual'
  })
  return { outcome, remediationId: rem.id }
}

/** The end of a quarantine: delete at the source (or leave it disabled where the source cannot delete), unless restored. */
async function runQuarantineEnd({ ctx, payload }: JobRun<{ remediationId: string }>) {
  const rem = await loadRemediation(ctx, payload.remediationId)
  if (!rem) throw new PermanentJobError('The quarantine no longer exists.')
  if (rem.identity.status !== 'quarantined') return { skipped: `identity is ${rem.identity.status}` }
  const { connector, config } = resolveConnector(rem.identity.source)
  let detail: string
  let status: 'deleted' | 'disabled'
  if (canAct(connector, 'delete_identity')) {
    const r = await connector.act!(connectorContext(rem.identity.source, config), 'delete_identity', { identityExternalId: rem.identity.externalId })
    status = r.status === 'applied' ? 'deleted' : 'disabled'
    detail = r.status === 'applied' ? (r.detail ?? 'Deleted at the source.') : r.instructions
  } else {
    status = 'disabled'
    detail = `${rem.identity.source.name} cannot delete identities automatically; it stays disabled.`
  }
  await db.$transaction(async (tx) => {
    const n = await tx.identity.updateMany({ where: { id: rem.identityId, orgId: rem.orgId, status: 'quarantined' }, data: { status } })
    if (n.count !== 1) return
    await settleFindings(tx, rem.orgId, [rem.identityId])
    await recordAudit(tx, ctx, {
      action: status === 'deleted' ? 'remediation.quarantine-delete' : 'remediation.quarantine-end',
      targetType: 'identity',
      targetId: rem.identityId,
      targetLabel: rem.identity.name,
      details: { remediationId: rem.id, detail, simulated: rem.simulated },
    })
  })
  return { status }
}

/** One job type per kind of change asked for; all run the same way (the kind is the remediation's). */
function remediationJob<const K extends (typeof REQUESTABLE_KINDS)[number]>(kind: K) {
  return defineJob({
    type: kind,
    payload: remediationPayload,
    key: (p) => `${kind}:${p.targetId}:${p.remediationId}`,
    run: runRemediation,
  })
}
export const REMEDIATION_JOBS = {
  revoke_grant: remediationJob('revoke_grant'),
  disable_identity: remediationJob('disable_identity'),
  enable_identity: remediationJob('enable_identity'),
  revoke_credential: remediationJob('revoke_credential'),
  rotate_credential: remediationJob('rotate_credential'),
} as const satisfies Record<(typeof REQUESTABLE_KINDS)[number], unknown>

/** The end of a quarantine (queued when the disable is applied, due when the soak period ends). */
export const deleteIdentityJob = defineJob({
  type: 'delete_identity',
  payload: z.object({ remediationId: recordId }),
  key: (p) => `delete_identity:${p.remediationId}`,
  run: runQuarantineEnd,
})
