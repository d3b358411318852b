import 'server-only'
import { recordAudit } from '@/lib/audit/record'
import { canAct, connectorContext, resolveConnector, webhookFor } from '@/lib/connectors/registry'
import type { ActionKind, ActionResult, ActionTarget } from '@/lib/connectors/types'
import { postWebhook } from '@/lib/connectors/webhook'
import { db } from '@/lib/db'
import { env, secretFromEnv } from '@/lib/env'
import { settleFindings } from '@/lib/findings/recompute'
import { PermanentJobError, registerJobHandler, type JobRunContext } from '@/lib/jobs/legacy'
import { applyEffects, syncReviewItem } from '@/lib/remediation/outcome'
import { REQUESTABLE_KINDS } from '@/lib/remediation/schemas'

const SYSTEM = { type: 'system' as const, id: null, label: 'custodian-worker' }
const sys = (orgId: string) => ({ org: { id: orgId }, actor: SYSTEM })

function loadRemediation(id: string, orgId: string | null) {
  // A job without an organization loads nothing: `orgId: undefined` would drop the tenant filter.
  if (!orgId) return Promise.resolve(null)
  return db.remediation.findFirst({
    where: { id, orgId },
    include: {
      identity: { select: { id: true, name: true, externalId: true, status: true, source: { select: { id: true, name: true, type: true, config: true, secretRef: true } } } },
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
    target.grant = { resourceExternalId: g.entitlement.resource.externalId, entitlementExternalId: g.entitlement.externalId, entitlementName: g.entitlement.name, resourceName: g.entitlement.resource.name }
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

async function recordFailure(rem: Loaded, message: string, final: boolean) {
  if (!final) {
    await db.remediation.updateMany({ where: { id: rem.id, status: 'pending' }, data: { lastError: message } })
    return
  }
  await db.$transaction(async (tx) => {
    const n = await tx.remediation.updateMany({ where: { id: rem.id, status: 'pending' }, data: { status: 'failed', lastError: message, openKey: null, completedAt: new Date() } })
    if (n.count !== 1) return
    await syncReviewItem(tx, rem, 'failed', message)
    await recordAudit(tx, sys(rem.orgId), {
      action: `remediation.failed`,
      targetType: 'identity',
      targetId: rem.identityId,
      targetLabel: rem.identity.name,
      outcome: 'failure',
      details: { remediationId: rem.id, kind: rem.kind, error: message },
    })
  })
}

export async function runRemediationJob({ job, payload }: JobRunContext) {
  const id = typeof payload.remediationId === 'string' ? payload.remediationId : null
  if (!id) throw new PermanentJobError('The job has no remediationId.')
  const rem = await loadRemediation(id, job.orgId)
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
    await recordFailure(rem, message, final)
    throw permanent ? new PermanentJobError(message) : new Error(message)
  }
  const outcome = await db.$transaction(async (tx) => {
    const now = new Date()
    const applied = result.status === 'applied'
    const detail = result.status === 'applied' ? (result.detail ?? null) : result.via ? `Sent to your automation at ${result.via}.` : null
    const n = await tx.remediation.updateMany({
      where: { id: rem.id, status: 'pending' },
      data: applied
        ? { status: 'applied', openKey: null, completedAt: now, detail, lastError: null }
        : { status: 'manual', instructions: (result as { instructions: string }).instructions, detail, lastError: null },
    })
    if (n.count !== 1) return 'skipped'
    let soakUntil: Date | null = null
    if (applied) soakUntil = (await applyEffects(tx, rem, { now })).soakUntil
    if (soakUntil) await tx.remediation.update({ where: { id: rem.id }, data: { soakUntil } })
    await syncReviewItem(tx, rem, applied ? 'applied' : 'manual')
    await recordAudit(tx, sys(rem.orgId), {
      action: applied ? 'remediation.applied' : 'remediation.manual',
      targetType: 'identity',
      targetId: rem.identityId,
      targetLabel: rem.identity.name,
      details: { remediationId: rem.id, kind, simulated: rem.simulated, detail, ...(soakUntil ? { quarantinedUntil: soakUntil.toISOString() } : {}) },
    })
    return applied ? 'applied' : 'manual'
  })
  return { outcome, remediationId: rem.id }
}

/** The end of a quarantine: delete at the source (or leave it disabled where the source cannot delete), unless restored. */
export async function runQuarantineEnd({ job, payload }: JobRunContext) {
  const id = typeof payload.remediationId === 'string' ? payload.remediationId : null
  if (!id) throw new PermanentJobError('The job has no remediationId.')
  const rem = await loadRemediation(id, job.orgId)
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
    await recordAudit(tx, sys(rem.orgId), {
      action: status === 'deleted' ? 'remediation.quarantine-delete' : 'remediation.quarantine-end',
      targetType: 'identity',
      targetId: rem.identityId,
      targetLabel: rem.identity.name,
      details: { remediationId: rem.id, detail, simulated: rem.simulated },
    })
  })
  return { status }
}

for (const kind of REQUESTABLE_KINDS) registerJobHandler(kind, runRemediationJob)
registerJobHandler('delete_identity', runQuarantineEnd)

