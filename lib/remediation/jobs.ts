import 'server-only'
import { emitEvent, emitEvents } from '@/lib/webhooks/emit'
import { z } from 'zod'
import { recordAudit, recordAuditMany, type AuditEntry } from '@/lib/audit/record'
import type { SystemCtx } from '@/lib/auth/org-context'
import { canAct, connectorContext, resolveConnector, webhookFor } from '@/lib/connectors/registry'
import type { ActionKind, ActionResult, ActionTarget } from '@/lib/connectors/types'
import { postWebhook } from '@/lib/connectors/webhook'
import { db } from '@/lib/db'
import { env, secretFromEnv } from '@/lib/env'
import { settleFindings } from '@/lib/findings/recompute'
import { defineJob, PermanentJobError, recordId, type BatchItem, type BatchOutcomes, type BatchRun, type JobRun } from '@/lib/jobs/define'
import { enqueueJob } from '@/lib/jobs/queue'
import { prismaSql } from '@/lib/sql/prisma'
import { sql, type Fragment } from '@/lib/sql/sql'
import { applyEffectsMany, syncReviewItem, syncReviewItems } from '@/lib/remediation/outcome'
import type { REQUESTABLE_KINDS } from '@/lib/remediation/schemas'

const REMEDIATION_INCLUDE = {
  identity: {
    select: {
      id: true,
      name: true,
      externalId: true,
      status: true,
      source: { select: { id: true, name: true, type: true, config: true, secretRef: true } },
    },
  },
} as const

function loadRemediation(ctx: SystemCtx, id: string) {
  return db.remediation.findFirst({ where: { id, orgId: ctx.org.id }, include: REMEDIATION_INCLUDE })
}
type Loaded = NonNullable<Awaited<ReturnType<typeof loadRemediation>>>

/**
 * What each remediation acts on at its source (its identity's, grant's or credential's external ids), read for all of
 * them at once; a grant or credential gone from the inventory is a PermanentJobError for its remediation.
 */
async function actionTargets(orgId: string, rems: readonly Loaded[]): Promise<Map<string, ActionTarget | PermanentJobError>> {
  const grantIds = rems.map((r) => r.grantId).filter((id): id is string => !!id)
  const credentialIds = rems.map((r) => r.credentialId).filter((id): id is string => !!id)
  const grants = new Map(
    grantIds.length
      ? (
          await db.grant.findMany({
            where: { id: { in: grantIds }, orgId },
            select: { id: true, entitlement: { select: { externalId: true, name: true, resource: { select: { externalId: true, name: true } } } } },
          })
        ).map((g) => [g.id, g.entitlement])
      : [],
  )
  const credentials = new Map(
    credentialIds.length
      ? (await db.credential.findMany({ where: { id: { in: credentialIds }, orgId }, select: { id: true, externalId: true } })).map((c) => [c.id, c])
      : [],
  )
  const out = new Map<string, ActionTarget | PermanentJobError>()
  for (const rem of rems) {
    const target: ActionTarget = { identityExternalId: rem.identity.externalId }
    if (rem.grantId) {
      const e = grants.get(rem.grantId)
      if (!e) {
        out.set(rem.id, new PermanentJobError('The grant no longer exists in the inventory.'))
        continue
      }
      target.grant = { resourceExternalId: e.resource.externalId, entitlementExternalId: e.externalId, entitlementName: e.name, resourceName: e.resource.name }
    }
    if (rem.credentialId) {
      const c = credentials.get(rem.credentialId)
      if (!c) {
        out.set(rem.id, new PermanentJobError('The credential no longer exists in the inventory.'))
        continue
      }
      target.credentialExternalId = c.externalId ?? undefined
    }
    out.set(rem.id, target)
  }
  return out
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

/**
 * One group of a batch (same source and resource, same kind) through the connector's actMany when it has one and can
 * act: one call for all; null otherwise (each is then acted on alone). Targets that could not be read are left out.
 */
async function actAll(group: { rem: Loaded; target: ActionTarget | PermanentJobError | undefined }[]): Promise<(ActionResult | Error | undefined)[] | null> {
  const source = group[0].rem.identity.source
  const kind = group[0].rem.kind as ActionKind
  const { connector, config } = resolveConnector(source)
  if (group.length < 2 || !connector.actMany || !canAct(connector, kind)) return null
  const ok = group.flatMap((g, k) => (g.target && !(g.target instanceof Error) ? [{ k, target: g.target }] : []))
  const results = ok.length
    ? await connector.actMany(
        connectorContext(source, config),
        kind,
        ok.map((o) => o.target),
      )
    : []
  if (env().testActDelayMs > 0) await new Promise((r) => setTimeout(r, env().testActDelayMs))
  const out: (ActionResult | Error | undefined)[] = new Array(group.length)
  ok.forEach((o, j) => (out[o.k] = results[j]))
  return out
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

type Acted = { item: BatchItem<RemediationPayload>; rem: Loaded; kind: ActionKind; result: Awaited<ReturnType<typeof act>> }

/**
 * Remediation jobs of one organization, run together (a campaign's thousand revocations come in batches): each acts at its
 * source in turn — a failure is recorded for that remediation alone — then the outcomes of all that acted are written in
 * one transaction: statuses, the inventory's effects, review items, one audit row each (naming its own job), events.
 */
async function runRemediations({ items }: BatchRun<RemediationPayload>): Promise<BatchOutcomes> {
  const out: BatchOutcomes = new Map()
  const orgId = items[0].ctx.org.id
  const rems = new Map(
    (await db.remediation.findMany({ where: { orgId, id: { in: items.map((i) => i.payload.remediationId) } }, include: REMEDIATION_INCLUDE })).map((r) => [
      r.id,
      r,
    ]),
  )
  const targets = await actionTargets(
    orgId,
    [...rems.values()].filter((r) => r.status === 'pending'),
  )
  const due: { item: BatchItem<RemediationPayload>; rem: Loaded }[] = []
  for (const item of items) {
    const rem = rems.get(item.payload.remediationId)
    if (!rem) out.set(item.job.id, new PermanentJobError('The remediation no longer exists.'))
    // Already recorded (a re-run after the outcome committed): nothing to do, and nothing is done twice.
    else if (rem.status !== 'pending') out.set(item.job.id, { skipped: rem.status })
    else due.push({ item, rem })
  }
  // The sources are acted on a few at a time (each act is a handful of round trips to a source that does the waiting),
  // but never two on the same object at once: PostgreSQL refuses concurrent GRANT/REVOKE on one table ("tuple
  // concurrently updated"), so the acts on one resource (or, without a grant, one identity) run in order in one lane.
  const slots: (Acted | null)[] = new Array(due.length).fill(null)
  const groups = new Map<string, number[]>()
  due.forEach(({ rem }, i) => {
    const t = targets.get(rem.id)
    const key = `${rem.identity.source.id}:${t && !(t instanceof Error) ? (t.grant?.resourceExternalId ?? t.identityExternalId) : rem.id}`
    groups.set(key, [...(groups.get(key) ?? []), i])
  })
  const queue = [...groups.values()]
  const settle = async (i: number, outcome: () => Promise<Awaited<ReturnType<typeof act>>>) => {
    const { item, rem } = due[i]
    try {
      const target = targets.get(rem.id)
      if (!target || target instanceof Error) throw target ?? new PermanentJobError('The remediation no longer exists.')
      slots[i] = { item, rem, kind: rem.kind as ActionKind, result: await outcome() }
    } catch (err) {
      const permanent = err instanceof PermanentJobError || (err as { permanent?: boolean }).permanent === true
      const message = redact(err instanceof Error ? err.message : String(err), [secretFromEnv(rem.identity.source.secretRef)])
      await recordFailure(item.ctx, rem, message, permanent || item.job.attempts >= item.job.maxAttempts)
      out.set(item.job.id, permanent ? new PermanentJobError(message) : new Error(message))
    }
  }
  const lane = async () => {
    for (let group = queue.shift(); group; group = queue.shift()) {
      const many = await actAll(group.map((i) => ({ rem: due[i].rem, target: targets.get(due[i].rem.id) })))
      for (const [k, i] of group.entries()) {
        const { rem } = due[i]
        const done = many?.[k]
        await settle(i, async () => {
          if (done instanceof Error) throw done
          return done && done.status !== 'manual' ? done : act(rem, rem.kind as ActionKind, targets.get(rem.id) as ActionTarget)
        })
      }
    }
  }
  await Promise.all(Array.from({ length: Math.min(ACTS_AT_ONCE, queue.length) }, lane))
  const acted = slots.filter((a): a is Acted => a !== null)
  if (acted.length) {
    const outcomes = await recordOutcomes(orgId, acted)
    acted.forEach((a, i) => out.set(a.item.job.id, { outcome: outcomes[i], remediationId: a.rem.id }))
  }
  return out
}

/** The outcomes of remediations acted on at their sources, in one transaction (see runRemediations). */
function recordOutcomes(orgId: string, acted: readonly Acted[]) {
  return db.$transaction(async (tx) => {
    const now = new Date()
    const recorded: (Acted & { applied: boolean; detail: string | null })[] = []
    const outcomes = new Map<Acted, 'applied' | 'manual' | 'skipped'>()
    // Every pending remediation's new state in one statement per outcome (a batch of 100 was 100 round trips on
    // PostgreSQL); only those still pending change, and say so (RETURNING).
    const detailOf = ({ result }: Acted) =>
      result.status === 'applied' ? (result.detail ?? null) : result.via ? `Sent to your automation at ${result.via}.` : null
    const changed = new Set<string>()
    const s = prismaSql(tx)
    const caseOf = (list: readonly Acted[], value: (a: Acted) => string | null) =>
      sql`CASE "id" ${sql.join(
        list.map((a) => sql`WHEN ${a.rem.id} THEN ${value(a)}`),
        ' ',
      )} END`
    const set = async (list: readonly Acted[], assignments: Fragment) => {
      if (!list.length) return
      const rows = await s.query<{ id: string }>(
        sql`UPDATE "Remediation" SET ${assignments}, "lastError" = NULL, "updatedAt" = ${now}
            WHERE "orgId" = ${orgId} AND "status" = 'pending' AND "id" ${sql.isIn(list.map((a) => a.rem.id))} RETURNING "id"`,
      )
      for (const r of rows) changed.add(r.id)
    }
    const done = acted.filter((a) => a.result.status === 'applied')
    const manual = acted.filter((a) => a.result.status !== 'applied')
    await set(done, sql`"status" = 'applied', "openKey" = NULL, "completedAt" = ${now}, "detail" = ${caseOf(done, detailOf)}`)
    await set(
      manual,
      sql`"status" = 'manual', "instructions" = ${caseOf(manual, (a) => (a.result as { instructions: string }).instructions)}, "detail" = ${caseOf(manual, detailOf)}`,
    )
    for (const a of acted) {
      const applied = a.result.status === 'applied'
      const recordedNow = changed.has(a.rem.id)
      outcomes.set(a, !recordedNow ? 'skipped' : applied ? 'applied' : 'manual')
      if (recordedNow) recorded.push({ ...a, applied, detail: detailOf(a) })
    }
    const applied = recorded.filter((r) => r.applied)
    const soak = await applyEffectsMany(
      tx,
      applied.map((r) => r.rem),
      { now },
    )
    const audit: AuditEntry[] = []
    for (const r of recorded) {
      const soakUntil = soak.get(r.rem.id)
      if (soakUntil) {
        await tx.remediation.update({ where: { id: r.rem.id, orgId }, data: { soakUntil } })
        // The quarantine ends in a deletion at the source, unless the identity is restored first (which cancels this job).
        await enqueueJob(tx, deleteIdentityJob, { remediationId: r.rem.id }, { orgId, runAt: soakUntil })
      }
      audit.push({
        actor: r.item.ctx.actor,
        action: r.applied ? 'remediation.applied' : 'remediation.manual',
        targetType: 'identity',
        targetId: r.rem.identityId,
        targetLabel: r.rem.identity.name,
        details: {
          remediationId: r.rem.id,
          kind: r.kind,
          simulated: r.rem.simulated,
          detail: r.detail,
          ...(soakUntil ? { quarantinedUntil: soakUntil.toISOString() } : {}),
        },
      })
    }
    await syncReviewItems(
      tx,
      applied.map((r) => r.rem),
      'applied',
    )
    await syncReviewItems(
      tx,
      recorded.filter((r) => !r.applied).map((r) => r.rem),
      'manual',
    )
    await recordAuditMany(tx, acted[0].item.ctx, audit)
    await emitEvents(
      tx,
      orgId,
      'remediation.applied',
      applied.map((r) => ({
        remediation: { id: r.rem.id, kind: r.kind, reviewItemId: r.rem.reviewItemId, simulated: r.rem.simulated },
        identity: { id: r.rem.identityId, name: r.rem.identity.name },
        detail: r.detail,
      })),
    )
    return acted.map((a) => outcomes.get(a)!)
  })
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
    run: async ({ ctx, payload, job, workerId }) => {
      const r = (await runRemediations({ items: [{ ctx, payload, job }], workerId })).get(job.id)
      if (r instanceof Error) throw r
      return r
    },
    batch: { max: REMEDIATION_BATCH, run: runRemediations },
  })
}

/** Remediations of one kind and organization a worker runs together (see runRemediations). */
const REMEDIATION_BATCH = 100
/** Sources acted on at once within a batch. */
const ACTS_AT_ONCE = 8
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
