import 'server-only'
import type { Tx } from '@/lib/db'
import { settleFindings } from '@/lib/findings/recompute'
import { rollupIdentity } from '@/lib/remediation/rollup'
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
  const now = opts.now ?? new Date()
  const where = { orgId: rem.orgId }
  let soakUntil: Date | null = null
  switch (rem.kind) {
    case 'revoke_grant':
      if (rem.grantId) await tx.grant.updateMany({ where: { ...where, id: rem.grantId }, data: { status: 'revoked', revokedAt: now } })
      break
    case 'revoke_credential':
      if (rem.credentialId) await tx.credential.updateMany({ where: { ...where, id: rem.credentialId }, data: { status: 'revoked' } })
      break
    case 'rotate_credential':
      if (rem.credentialId) {
        await tx.credential.updateMany({
          where: { ...where, id: rem.credentialId },
          data: { status: 'active', lastRotatedAt: now, rotatedById: rem.requestedById },
        })
      }
      break
    case 'disable_identity': {
      const org = await tx.organization.findUniqueOrThrow({ where: { id: rem.orgId }, select: { settings: true } })
      const soakDays = parseOrgSettings(org.settings).quarantineSoakDays
      if (opts.quarantine !== false && soakDays > 0) {
        soakUntil = new Date(now.getTime() + soakDays * DAY)
        await tx.identity.updateMany({ where: { ...where, id: rem.identityId }, data: { status: 'quarantined' } })
      } else {
        await tx.identity.updateMany({ where: { ...where, id: rem.identityId }, data: { status: 'disabled' } })
      }
      break
    }
    case 'enable_identity':
      await tx.identity.updateMany({ where: { ...where, id: rem.identityId }, data: { status: 'active' } })
      break
    case 'delete_identity':
      await tx.identity.updateMany({ where: { ...where, id: rem.identityId }, data: { status: 'deleted' } })
      break
  }
  if (rem.kind.endsWith('_grant') || rem.kind.endsWith('_credential')) await rollupIdentity(tx, rem.orgId, rem.identityId)
  await settleFindings(tx, rem.orgId, [rem.identityId], { sharedSecrets: rem.kind.endsWith('_credential') })
  return { soakUntil }
}

/** Mirrors a remediation's state onto the review item that asked for it (campaign evidence). */
export async function syncReviewItem(tx: Tx, rem: Rem, status: 'pending' | 'applied' | 'failed' | 'manual', error?: string | null) {
  if (!rem.reviewItemId) return
  await tx.reviewItem.updateMany({
    where: { id: rem.reviewItemId, orgId: rem.orgId },
    data: { remediationStatus: status, remediationError: error ?? null },
  })
}
