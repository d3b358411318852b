import 'server-only'
import type { ActorRef } from '@/lib/auth/org-context'
import type { Tx } from '@/lib/db'
import { settleFindings } from '@/lib/findings/recompute'
import { OWNER_RULE_IDS } from '@/lib/findings/rules'
import { notify } from '@/lib/notifications/notify'
import { recordAuditMany } from '@/lib/audit/record'
import type { OwnerOrigin } from '@/lib/ownership/schemas'
import { prismaSql } from '@/lib/sql/prisma'
import { sql } from '@/lib/sql/sql'

export type OwnershipRow = { id: string; name: string; ownerId: string | null; backupOwnerId: string | null; teamId: string | null }
export type OwnershipTarget = { ownerId?: string | null; backupOwnerId?: string | null; teamId?: string | null; origin: OwnerOrigin; reason?: string }
type Values = { ownerId: string | null; backupOwnerId: string | null; teamId: string | null }

export type ApplyCtx = { org: { id: string; slug: string }; actor: ActorRef }

/**
 * Applies per-identity ownership targets in the caller's transaction: one UPDATE per distinct result, one
 * audit row per changed identity (so each identity's history shows it), owner-left findings resolved once
 * somebody owns the identity again, the changed identities' findings and risk scores re-evaluated, and one
 * notification per new owner. Rows that would not change are skipped.
 */
export async function applyOwnership(
  tx: Tx,
  ctx: ApplyCtx,
  rows: OwnershipRow[],
  targetOf: (row: OwnershipRow) => OwnershipTarget | null,
  opts: { action: string; details?: Record<string, unknown>; notifyKind?: string; justification?: string | null },
) {
  const now = new Date()
  const groups = new Map<string, { values: Partial<Values>; origin: OwnerOrigin; ownerChanged: boolean; ids: string[] }>()
  const audits: Parameters<typeof recordAuditMany>[2] = []
  const gained = new Map<string, { n: number; first: string }>()
  for (const row of rows) {
    const t = targetOf(row)
    if (!t) continue
    const next: Values = {
      ownerId: t.ownerId !== undefined ? t.ownerId : row.ownerId,
      backupOwnerId: t.backupOwnerId !== undefined ? t.backupOwnerId : row.backupOwnerId,
      teamId: t.teamId !== undefined ? t.teamId : row.teamId,
    }
    // Nobody backs up themselves: the backup role falls away when the backup becomes the owner.
    if (next.ownerId && next.ownerId === next.backupOwnerId) next.backupOwnerId = null
    if (next.ownerId === row.ownerId && next.backupOwnerId === row.backupOwnerId && next.teamId === row.teamId) continue
    const ownerChanged = next.ownerId !== row.ownerId
    // Only the columns the target sets (or the backup that falls away): rows that differ in the others share one UPDATE.
    const values: Partial<Values> = {}
    if (t.ownerId !== undefined) values.ownerId = next.ownerId
    if (t.backupOwnerId !== undefined || next.backupOwnerId !== row.backupOwnerId) values.backupOwnerId = next.backupOwnerId
    if (t.teamId !== undefined) values.teamId = next.teamId
    const key = JSON.stringify([values, ownerChanged ? t.origin : null])
    let g = groups.get(key)
    if (!g) groups.set(key, (g = { values, origin: t.origin, ownerChanged, ids: [] }))
    g.ids.push(row.id)
    if (ownerChanged && next.ownerId) {
      const prev = gained.get(next.ownerId)
      gained.set(next.ownerId, { n: (prev?.n ?? 0) + 1, first: prev?.first ?? row.name })
    }
    audits.push({
      action: opts.action,
      targetType: 'identity',
      targetId: row.id,
      targetLabel: row.name,
      justification: opts.justification ?? null,
      details: {
        from: { ownerId: row.ownerId, backupOwnerId: row.backupOwnerId, teamId: row.teamId },
        to: next,
        ...(ownerChanged ? { origin: next.ownerId ? t.origin : null } : {}),
        ...(t.reason ? { reason: t.reason } : {}),
        ...opts.details,
      },
    })
  }
  for (const g of groups.values()) {
    const data = {
      ...g.values,
      ...(g.ownerChanged ? { ownerOrigin: g.values.ownerId ? g.origin : null, ownerAssignedAt: g.values.ownerId ? now : null } : {}),
    }
    for (let i = 0; i < g.ids.length; i += 2_000) await updateIdentities(tx, ctx, g.ids.slice(i, i + 2_000), { ...data, updatedAt: now })
  }
  // The owner is what NHI1 findings and risk scores hang on: they change with it, in this transaction. Only the rules
  // that read the owner: the others' inputs did not change (the nightly pass keeps the time-based ones current). The
  // same pass resolves the "owner left" findings of the identities somebody owns again (lib/findings/engine.ts), before
  // and after being compared, so a small change also sends its finding.resolved events.
  await settleFindings(
    tx,
    ctx.org.id,
    [...groups.values()].flatMap((g) => g.ids),
    { rules: OWNER_RULE_IDS },
  )
  await recordAuditMany(tx, ctx, audits)
  const recipients = [...gained].filter(([userId]) => userId !== ctx.actor.id)
  await notify(
    tx,
    recipients.map(([userId, { n, first }]) => ({
      orgId: ctx.org.id,
      userId,
      kind: opts.notifyKind ?? 'ownership.assigned',
      title: n === 1 ? `You now own ${first}` : `You now own ${n} more identities`,
      body: `${ctx.actor.label} made you the accountable owner of ${n === 1 ? 'a non-human identity' : `${n} non-human identities`}. Review them on your "My identities" page.`,
      link: `/${ctx.org.slug}/my`,
    })),
  )
  return { changed: audits.length, newOwners: Object.fromEntries([...gained].map(([k, v]) => [k, v.n])) }
}

/** One UPDATE ... WHERE orgId = ? AND id IN (...) for a batch; the ids travel as one JSON parameter (Prisma's updateMany reads them first). */
async function updateIdentities(tx: Tx, ctx: ApplyCtx, ids: string[], data: Record<string, string | Date | null>) {
  const set = sql.join(Object.entries(data).map(([col, v]) => sql`${sql.ident(col)} = ${v}`))
  await prismaSql(tx).execute(sql`UPDATE "Identity" SET ${set} WHERE "orgId" = ${ctx.org.id} AND "id" ${sql.isIn(ids)}`)
}
