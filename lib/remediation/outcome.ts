import 'server-only'
import type { Tx } from '@/lib/db'
import { settleFindings } from '@/lib/findings/recompute'
import { rollupIdentities } from '@/lib/inventory/rollup'
import { prismaSql } from '@/lib/sql/prisma'
import { parseOrgSettings } from '@/lib/settings/schemas'

const DAY = 86_400_000

type Rem = {
  id: string
  orgId: string
  identityId: string
  kind: string
  grantId: string | null
  credentialId: string | null
  requestedById: string | null
  reviewItemId: string | null
}

/**
 * Makes the inventory say what the source now says: the grant revoked, the credential revoked or rotated,
 * the identity quarantined (until `soakUntil`, returned: the caller queues the deletion), restored or deleted.
 * `quarantine` is false when a person did it by hand: Custodian then cannot schedule the deletion for them.
 */
export async function applyEffects(tx: Tx, rem: Rem, opts: { now?: Date; quarantine?: boolean } = {}) {
  const soak = await applyEffectsMany(tx, [rem], opts)
  return { soakUntil: soak.get(rem.id) ?? null }
}

/**
 * applyEffects for many remediations of one organization (a batch of jobs): one statement per kind of change, one
 * rollup and one findings settlement for all their identities. Returns the end of each quarantine, by remediation id.
 */
export async function applyEffectsMany(tx: Tx, rems: readonly Rem[], opts: { now?: Date; quarantine?: boolean } = {}): Promise<Map<string, Date>> {
  const soak = new Map<string, Date>()
  if (rems.length === 0) return soak
  const now = opts.now ?? new Date()
  const orgId = rems[0].orgId
  const of = (kind: string) => rems.filter((r) => r.kind === kind)
  const ids = (list: readonly Rem[], key: 'grantId' | 'credentialId' | 'identityId') => list.map((r) => r[key]).filter((id): id is string => !!id)
  const grants = ids(of('revoke_grant'), 'grantId')
  if (grants.length) await tx.grant.updateMany({ where: { orgId, id: { in: grants } }, data: { status: 'revoked', revokedAt: now } })
  const revoked = ids(of('revoke_credential'), 'credentialId')
  if (revoked.length) await tx.credential.updateMany({ where: { orgId, id: { in: revoked } }, data: { status: 'revoked' } })
  for (const r of of('rotate_credential'))
    if (r.credentialId)
      await tx.credential.updateMany({ where: { orgId, id: r.credentialId }, data: { status: 'active', lastRotatedAt: now, rotatedById: r.requestedById } })
  const disables = of('disable_identity')
  if (disables.length) {
    const org = await tx.organization.findUniqueOrThrow({ where: { id: orgId }, select: { settings: true } })
    const soakDays = parseOrgSettings(org.settings).quarantineSoakDays
    const quarantine = opts.quarantine !== false && soakDays > 0
    await tx.identity.updateMany({ where: { orgId, id: { in: ids(disables, 'identityId') } }, data: { status: quarantine ? 'quarantined' : 'disabled' } })
    if (quarantine) for (const r of disables) soak.set(r.id, new Date(now.getTime() + soakDays * DAY))
  }
  for (const [kind, status] of [
    ['enable_identity', 'active'],
    ['delete_identity', 'deleted'],
  ] as const) {
    const list = of(kind)
    if (list.length) await tx.identity.updateMany({ where: { orgId, id: { in: ids(list, 'identityId') } }, data: { status } })
  }
  const rolled = rems.filter((r) => r.kind.endsWith('_grant') || r.kind.endsWith('_credential')).map((r) => r.identityId)
  if (rolled.length) await rollupIdentities(prismaSql(tx), [...new Set(rolled)])
  await settleFindings(tx, orgId, [...new Set(rems.map((r) => r.identityId))], { sharedSecrets: rems.some((r) => r.kind.endsWith('_credential')) })
  return soak
}

/** Mirrors a remediation's state onto the review item that asked for it (campaign evidence). */
export async function syncReviewItem(tx: Tx, rem: Rem, status: RemediationState, error?: string | null) {
  await syncReviewItems(tx, [rem], status, error)
}

type RemediationState = 'pending' | 'applied' | 'failed' | 'manual'

/** syncReviewItem for many remediations of one organization in the same state. */
export async function syncReviewItems(tx: Tx, rems: readonly Pick<Rem, 'orgId' | 'reviewItemId'>[], status: RemediationState, error?: string | null) {
  const items = rems.map((r) => r.reviewItemId).filter((id): id is string => !!id)
  if (items.length === 0) return
  await tx.reviewItem.updateMany({
    where: { id: { in: items }, orgId: rems[0].orgId },
    data: { remediationStatus: status, remediationError: error ?? null },
  })
}
