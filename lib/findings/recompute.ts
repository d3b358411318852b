import 'server-only'
import { db, type Tx } from '@/lib/db'
import { enqueueJob } from '@/lib/jobs/queue'
import { recomputeIdentities, recomputeOrg } from '@/lib/findings/engine'
import { prismaSql } from '@/lib/sql/prisma'
import { takeSnapshot } from '@/lib/metrics/compute'
import { parseOrgSettings } from '@/lib/settings/schemas'

export const RECOMPUTE_JOB = 'recompute_findings'
export const SNAPSHOT_JOB = 'metrics_snapshot'

/**
 * Asks for a findings recompute of one organization, in the caller's transaction (after a sync, an import,
 * a settings change). A recompute already waiting to run covers this request too.
 */
export async function enqueueFindingsRecompute(tx: Tx, orgId: string, opts: { createdById?: string | null; reason?: string } = {}) {
  const waiting = await tx.job.findFirst({ where: { orgId, type: RECOMPUTE_JOB, status: { in: ['queued', 'retrying'] } } })
  if (waiting) return waiting
  const total = await tx.identity.count({ where: { orgId } })
  return enqueueJob(tx, {
    orgId,
    type: RECOMPUTE_JOB,
    payload: { reason: opts.reason ?? 'requested' },
    idempotencyKey: `${RECOMPUTE_JOB}:${orgId}:${Date.now()}:${Math.random().toString(36).slice(2, 8)}`,
    total,
    createdById: opts.createdById ?? null,
    maxAttempts: 3,
  })
}

/**
 * Re-evaluates the findings of these identities inside the caller's transaction, so whatever the change settled
 * (or raised) shows at once on every page: identity, My identities, findings, dashboard, risk scores.
 * `sharedSecrets` when credentials changed: identities sharing a secret with them are re-evaluated too.
 */
export async function settleFindings(tx: Tx, orgId: string, identityIds: readonly string[], opts: { sharedSecrets?: boolean; now?: number } = {}) {
  if (identityIds.length === 0) return { identities: 0 }
  const org = await tx.organization.findUnique({ where: { id: orgId }, select: { settings: true } })
  if (!org) return { identities: 0 }
  return recomputeIdentities(prismaSql(tx), orgId, identityIds, parseOrgSettings(org.settings), opts)
}

async function orgSettings(orgId: string) {
  const org = await db.organization.findUnique({ where: { id: orgId }, select: { settings: true } })
  return org ? parseOrgSettings(org.settings) : null
}

/** The work of a recompute job: all identities in batches, then a fresh snapshot for the dashboard. */
export async function recomputeFindingsForOrg(orgId: string, onProgress?: (done: number, total: number) => Promise<void>, now = Date.now()) {
  const settings = await orgSettings(orgId)
  if (!settings) return null
  const s = prismaSql()
  const result = await recomputeOrg(s, orgId, settings, { now, onProgress })
  await takeSnapshot(s, orgId, settings, now)
  return result
}

export async function snapshotOrgMetrics(orgId: string, now = Date.now()) {
  const settings = await orgSettings(orgId)
  if (!settings) return null
  return takeSnapshot(prismaSql(), orgId, settings, now)
}
