import 'server-only'
import { createHash } from 'node:crypto'
import { z } from 'zod'
import { recordAudit } from '@/lib/audit/record'
import type { SystemCtx } from '@/lib/auth/org-context'
import { db, type Tx } from '@/lib/db'
import { defineJob, defineScheduler } from '@/lib/jobs/define'
import { enqueueJob } from '@/lib/jobs/queue'
import { displayPrefix } from '@/lib/api-tokens/format'
import { externalIdOf, mirrorNewToken, TOKEN_SOURCE } from '@/lib/api-tokens/inventory'
import { scopesOf } from '@/lib/api-tokens/schemas'

// Tokens made before Custodian's tokens became NHIs of its inventory (lib/api-tokens/inventory.ts mirrors each new one)
// have no identity or credential there. Once per worker start, the scheduler below finds them and queues one job per
// organization that mirrors them, audited as the system. Both are safe to run again and again, on either engine: the
// job re-checks each token in the transaction that mirrors it, and the job key names the tokens, so several workers
// queue one job.

const TOKEN_SELECT = {
  id: true,
  orgId: true,
  name: true,
  prefix: true,
  scopes: true,
  expiresAt: true,
  createdAt: true,
  identityId: true,
  createdById: true,
} as const
type Token = { id: string; orgId: string; identityId: string | null }

/** Whether the token already is in its organization's inventory: its own identity (by the source's unique key), or a credential of its bound identity. */
async function isMirrored(tx: Tx | typeof db, t: Token): Promise<boolean> {
  const externalId = externalIdOf(t.id)
  if (t.identityId) return !!(await tx.credential.findFirst({ where: { identityId: t.identityId, orgId: t.orgId, externalId }, select: { id: true } }))
  const sources = await tx.source.findMany({ where: { orgId: t.orgId, type: TOKEN_SOURCE.type }, select: { id: true } })
  if (!sources.length) return false
  return !!(await tx.identity.findFirst({ where: { sourceId: { in: sources.map((s) => s.id) }, externalId, orgId: t.orgId }, select: { id: true } }))
}

/** Live tokens (not revoked) with no inventory entry, of one organization or all. */
export async function unmirroredTokens(orgId?: string) {
  // Every organization's tokens when no organization is named: the scheduler's one cross-organization read (a small table).
  const tokens = await db.apiToken.findMany({ where: { revokedAt: null, ...(orgId ? { orgId } : {}) }, select: TOKEN_SELECT, orderBy: { createdAt: 'asc' } })
  const out: typeof tokens = []
  for (const t of tokens) if (!(await isMirrored(db, t))) out.push(t)
  return out
}

/** Mirrors the organization's unmirrored tokens, each in its own transaction with its audit row. */
export async function backfillTokenInventory(ctx: SystemCtx) {
  let mirrored = 0
  for (const t of await unmirroredTokens(ctx.org.id)) {
    const done = await db.$transaction(async (tx) => {
      const row = await tx.apiToken.findFirst({ where: { id: t.id, orgId: ctx.org.id, revokedAt: null }, select: TOKEN_SELECT })
      if (!row || (await isMirrored(tx, row))) return false
      // A bound token's identity may have gone since: then the token becomes an identity of its own, like an unbound one.
      const bound = row.identityId ? await tx.identity.findFirst({ where: { id: row.identityId, orgId: ctx.org.id }, select: { id: true } }) : null
      const identityId = await mirrorNewToken(tx, {
        id: row.id,
        orgId: ctx.org.id,
        name: row.name,
        scopes: scopesOf(row.scopes),
        expiresAt: row.expiresAt,
        createdAt: row.createdAt,
        plaintext: null,
        identityId: bound?.id ?? null,
        createdById: row.createdById,
      })
      await recordAudit(tx, ctx, {
        action: 'api-token.backfill',
        targetType: 'api-token',
        targetId: row.id,
        targetLabel: row.name,
        details: { prefix: displayPrefix(row.prefix), identityId, bound: !!bound },
      })
      return true
    })
    if (done) mirrored++
  }
  return { mirrored }
}

export const tokenInventoryBackfillJob = defineJob({
  type: 'token_inventory_backfill',
  lane: 'background',
  payload: z.object({ tokens: z.string().regex(/^[0-9a-f]{16}$/) }),
  key: (p, { orgId }) => `token_inventory_backfill:${orgId}:${p.tokens}`,
  maxAttempts: 3,
  permissions: ['api-token:manage'],
  run: async ({ ctx }) => backfillTokenInventory(ctx),
})

let ranInThisProcess = false

/** Queues the backfill for each organization with unmirrored tokens; once per worker process (the first scheduler pass). */
export const tokenInventoryBackfillScheduler = defineScheduler({
  name: 'token-inventory-backfill',
  run: async () => {
    if (ranInThisProcess) return
    await queueTokenInventoryBackfill()
    ranInThisProcess = true
  },
})

export async function queueTokenInventoryBackfill() {
  const byOrg = new Map<string, string[]>()
  for (const t of await unmirroredTokens()) byOrg.set(t.orgId, [...(byOrg.get(t.orgId) ?? []), t.id])
  for (const [orgId, ids] of byOrg) {
    const tokens = createHash('sha256').update(ids.sort().join(',')).digest('hex').slice(0, 16)
    await db.$transaction((tx) => enqueueJob(tx, tokenInventoryBackfillJob, { tokens }, { orgId }))
  }
  return { organizations: byOrg.size }
}
