import 'server-only'
import type { Ctx } from '@/lib/auth/org-context'
import { db, type Tx } from '@/lib/db'
import { recomputeIdentities, recomputeOrg } from '@/lib/findings/engine'
import { largeWrite } from '@/lib/sql/checkpoints'
import { prismaSql } from '@/lib/sql/prisma'
import { takeSnapshot } from '@/lib/metrics/compute'
import { parseOrgSettings } from '@/lib/settings/schemas'
import { emitEvents, subscribedTo } from '@/lib/webhooks/emit'

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
  // finding.opened / finding.resolved are emitted for the findings a change settles (a person's or a job's change to
  // some identities), by comparing their open findings before and after: only when someone listens, and only for a
  // bounded set. The nightly recompute of a whole organization emits nothing per finding (see README, Webhooks).
  const watch = identityIds.length <= FINDING_EVENTS_MAX_IDENTITIES && (await subscribedTo(tx, orgId, ['finding.opened', 'finding.resolved']))
  const before = watch ? await openFindings(tx, orgId, identityIds) : null
  const result = await recomputeIdentities(prismaSql(tx), orgId, identityIds, parseOrgSettings(org.settings), opts)
  if (before) {
    const after = await openFindings(tx, orgId, identityIds)
    const dto = (f: OpenFinding) => ({
      finding: { id: f.id, rule: f.rule, owaspCode: f.owaspCode, severity: f.severity, title: f.title },
      identity: { id: f.identityId, name: f.identity.name },
    })
    await emitEvents(tx, orgId, 'finding.opened', [...after.values()].filter((f) => !before.has(f.id)).map(dto))
    await emitEvents(tx, orgId, 'finding.resolved', [...before.values()].filter((f) => !after.has(f.id)).map(dto))
  }
  return result
}

/** Above this many identities in one settle, findings are not compared for events (an import or bulk change). */
export const FINDING_EVENTS_MAX_IDENTITIES = 1000

type OpenFinding = { id: string; identityId: string; rule: string; owaspCode: string; severity: string; title: string; identity: { name: string } }

async function openFindings(tx: Tx, orgId: string, identityIds: readonly string[]): Promise<Map<string, OpenFinding>> {
  const rows = await tx.finding.findMany({
    where: { orgId, identityId: { in: [...identityIds] }, status: 'open' },
    select: { id: true, identityId: true, rule: true, owaspCode: true, severity: true, title: true, identity: { select: { name: true } } },
  })
  return new Map(rows.map((r) => [r.id, r]))
}

async function orgSettings(orgId: string) {
  const org = await db.organization.findUnique({ where: { id: orgId }, select: { settings: true } })
  return org ? parseOrgSettings(org.settings) : null
}

/**
 * SQLite page cache while a whole organization is recomputed: each batch's 16 rule statements read the same 5,000
 * identities and their findings, which the connection's default cache (a few MiB) cannot hold between statements.
 */
export const RECOMPUTE_CACHE_MIB = 256

/** The work of a recompute job: all identities in batches, then a fresh snapshot for the dashboard. */
export async function recomputeFindingsForOrg(ctx: Ctx, onProgress?: (done: number, total: number) => Promise<void>, now = Date.now()) {
  const orgId = ctx.org.id
  const settings = await orgSettings(orgId)
  if (!settings) return null
  const s = prismaSql()
  const result = await largeWrite(RECOMPUTE_CACHE_MIB, () => recomputeOrg(s, orgId, settings, { now, onProgress }))
  await takeSnapshot(s, orgId, settings, now)
  return result
}

export async function snapshotOrgMetrics(ctx: Ctx, now = Date.now()) {
  const orgId = ctx.org.id
  const settings = await orgSettings(orgId)
  if (!settings) return null
  return takeSnapshot(prismaSql(), orgId, settings, now)
}
