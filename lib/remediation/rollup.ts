import 'server-only'
import type { Tx } from '@/lib/db'
import { CUSTODIAN_CREDENTIAL_KINDS } from '@/lib/inventory/schemas'

/** Recomputes an identity's denormalized columns after its grants or credentials changed (same rules as the seed). */
export async function rollupIdentity(tx: Tx, orgId: string, identityId: string) {
  const grantCount = await tx.grant.count({ where: { orgId, identityId, status: 'active' } })
  const privileged = (await tx.grant.count({ where: { orgId, identityId, status: 'active', privileged: true } })) > 0
  const credentialCount = await tx.credential.count({ where: { orgId, identityId, status: { not: 'revoked' } } })
  const active = await tx.credential.findMany({
    where: { orgId, identityId, status: 'active', kind: { notIn: CUSTODIAN_CREDENTIAL_KINDS } },
    select: { createdAt: true, lastRotatedAt: true },
  })
  const times = active.map((c) => (c.lastRotatedAt ?? c.createdAt).getTime())
  const oldestSecretAt = times.length ? new Date(Math.min(...times)) : null
  await tx.identity.update({ where: { id: identityId, orgId }, data: { grantCount, privileged, credentialCount, oldestSecretAt } })
}
