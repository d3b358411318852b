import 'server-only'
import type { Ctx } from '@/lib/auth/org-context'
import { db, type Tx } from '@/lib/db'
import { recomputeIdentities, recomputeOrg } from '@/lib/findings/engine'
import { prismaSql } from '@/lib/sql/prisma'
import { takeSnapshot } from '@/lib/metrics/compute'
import { parseOrgSettings } from '@/lib/settings/schemas'

/**
 * Re-evaluates the findings of these identities inside the caller's transaction, so whatever the change settled
 * (or raised) shows at once on every page: identity, My identities, findings, dashboard, risk scores.
 * `sharedSecrets` when credentials changed: identities sharing a secret with them are re-evaluated too.
 */
export async function settleFindings(
  tx: Tx,
  orgId: string,
  identityIds: readonly string[],
  opts: { sharedSecrets?: boolean; now?: number; rules?: readonly string[] } = {},
) {
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
export async function recomputeFindingsForOrg(ctx: Ctx, onProgress?: (done: number, total: number) => Promise<void>, now = Date.now()) {
  const orgId = ctx.org.id
  const settings = await orgSettings(orgId)
  if (!settings) return null
  const s = prismaSql()
  const result = await recomputeOrg(s, orgId, settings, { now, onProgress })
  await takeSnapshot(s, orgId, settings, now)
  return result
}

export async function snapshotOrgMetrics(ctx: Ctx, now = Date.now()) {
  const orgId = ctx.org.id
  const settings = await orgSettings(orgId)
  if (!settings) return null
  return takeSnapshot(prismaSql(), orgId, settings, now)
}
