import 'server-only'
import type { SystemCtx } from '@/lib/auth/org-context'
import { db } from '@/lib/db'
import { requestRemediations } from '@/lib/remediation/mutations'

export type RemediationKind = 'revoke_grant' | 'disable_identity' | 'revoke_credential'
export type ItemToRemediate = {
  id: string
  decision: string | null
  identityId: string
  grantId: string | null
  credentialId: string | null
  reduceGrantIds: string | null
  justification: string | null
}

/** What a revoke or reduce decision asks the source to do. */
export function remediationRequests(campaignType: string, item: ItemToRemediate) {
  // The remediation log wants a sentence: the reviewer's words, prefixed so a short one still reads well.
  const justification = `Access review decision (${item.decision})${item.justification ? `: ${item.justification}` : ''}`.slice(0, 1000)
  const base = { identityId: item.identityId, justification, reviewItemId: item.id }
  if (item.decision === 'reduce') {
    let ids: string[] = []
    try {
      ids = JSON.parse(item.reduceGrantIds ?? '[]')
    } catch {}
    return ids.map((grantId) => ({ ...base, kind: 'revoke_grant' as RemediationKind, grantId }))
  }
  if (item.decision !== 'revoke') return []
  if (campaignType === 'entitlement' && item.grantId) return [{ ...base, kind: 'revoke_grant' as RemediationKind, grantId: item.grantId }]
  if (campaignType === 'credential' && item.credentialId) return [{ ...base, kind: 'revoke_credential' as RemediationKind, credentialId: item.credentialId }]
  return [{ ...base, kind: 'disable_identity' as RemediationKind }]
}

/**
 * The one integration point with lib/remediation: every revoke/reduce decision goes through here, as the system (the
 * item's decision is the authority, not a role: a member reviewer may not hold identity:remediate). Each item is
 * marked `pending` when its request is queued (the remediation handler reports applied/failed on the item by
 * reviewItemId), or `manual` with the reason when nothing can act automatically.
 */
export async function remediateItems(ctx: SystemCtx, campaignType: string, items: ItemToRemediate[]) {
  let pending = 0
  let manual = 0
  for (const item of items) {
    const requests = remediationRequests(campaignType, item)
    if (!requests.length) continue
    try {
      const queued = await queue(ctx, requests)
      if (queued.ok) {
        await db.reviewItem.updateMany({
          where: { id: item.id, orgId: ctx.org.id, remediationStatus: 'none' },
          data: { remediationStatus: 'pending', remediationError: null },
        })
        pending++
      } else {
        await db.reviewItem.updateMany({
          where: { id: item.id, orgId: ctx.org.id },
          data: { remediationStatus: 'manual', remediationError: queued.reason.slice(0, 500) },
        })
        manual++
      }
    } catch (err) {
      await db.reviewItem.updateMany({
        where: { id: item.id, orgId: ctx.org.id },
        data: { remediationStatus: 'failed', remediationError: (err as Error).message.slice(0, 500) },
      })
    }
  }
  return { pending, manual }
}

/** Queues the requests through lib/remediation; false (with the reason) when none could be queued. */
async function queue(ctx: SystemCtx, requests: ReturnType<typeof remediationRequests>): Promise<{ ok: true } | { ok: false; reason: string }> {
  const r = await requestRemediations(ctx, requests)
  if (r.created.length || r.existing.length) return { ok: true }
  return { ok: false, reason: r.skipped.map((s) => s.reason).join(' ') || 'Nothing to remediate.' }
}
