import 'server-only'
import type { Tx } from '@/lib/db'
import { settleFindings } from '@/lib/findings/recompute'
import { rollupIdentities } from '@/lib/inventory/rollup'
import { prismaSql } from '@/lib/sql/prisma'

// A trust rule gives its identity a credential of kind `federated`: the inventory then shows that the identity can
// authenticate without a stored secret, and "static secret where federation exists" (NHI4) can be resolved by moving the
// workload to it and revoking the static one. There is no secret: the fingerprint names the rule (never a hash, so it
// cannot collide with a leaked secret's fingerprint) and is the key the exchange updates lastUsedAt by.

export const federatedFingerprint = (ruleId: string) => `federated:${ruleId}`

type Rule = { id: string; orgId: string; identityId: string; name: string; status: string; createdAt: Date }

/** The rule's credential made to match the rule: on its identity, active while it and its provider are, revoked when it is deleted. */
export async function syncFederatedCredential(tx: Tx, rule: Rule, provider: { name: string; status: string }, deleted = false) {
  const status = deleted ? 'revoked' : rule.status === 'active' && provider.status === 'active' ? 'active' : 'inactive'
  const fingerprint = federatedFingerprint(rule.id)
  const label = `${provider.name}: ${rule.name}`.slice(0, 200)
  const found = await tx.credential.findFirst({ where: { orgId: rule.orgId, fingerprint }, select: { id: true, identityId: true, status: true } })
  if (found) {
    if (found.status === status && (deleted || found.identityId === rule.identityId)) return
    await tx.credential.update({ where: { id: found.id }, data: deleted ? { status } : { identityId: rule.identityId, status, label } })
  } else if (!deleted)
    await tx.credential.create({
      data: {
        orgId: rule.orgId,
        identityId: rule.identityId,
        kind: 'federated',
        externalId: `trust-rule:${rule.id}`,
        label,
        fingerprint,
        createdAt: rule.createdAt,
        status,
      },
    })
  else return
  // The identity's credential count and findings (NHI4 depends on it) are settled in the same transaction.
  const identities = [...new Set([rule.identityId, ...(found ? [found.identityId] : [])])]
  await rollupIdentities(prismaSql(tx), identities)
  await settleFindings(tx, rule.orgId, identities)
}
