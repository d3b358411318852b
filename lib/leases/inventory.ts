import 'server-only'
import { createHash } from 'node:crypto'
import type { Tx } from '@/lib/db'
import { settleFindings } from '@/lib/findings/recompute'
import { rollupIdentities } from '@/lib/inventory/rollup'
import { prismaSql } from '@/lib/sql/prisma'

// A lease is an ephemeral credential of its identity (issue 16, part 3): in the inventory while its role exists, with
// its end as expiry, and gone from "active" when the role is dropped — so the identity's credentials, the runtime
// posture (short-lived versus static) and the findings see it. Kind `ephemeral` is Custodian's own: never swept by a
// source's sync, left out of the rotation and stored-secret rules. Each change is mirrored in the lease's transaction.

export const leaseExternalId = (leaseId: string) => `lease:${leaseId}`

async function settle(tx: Tx, orgId: string, identityId: string) {
  await rollupIdentities(prismaSql(tx), [identityId])
  await settleFindings(tx, orgId, [identityId], { sharedSecrets: false })
}

export async function mirrorLeaseIssued(
  tx: Tx,
  l: { id: string; orgId: string; identityId: string; roleName: string; templateName: string; issuedAt: Date; expiresAt: Date },
) {
  await tx.credential.create({
    data: {
      orgId: l.orgId,
      identityId: l.identityId,
      externalId: leaseExternalId(l.id),
      kind: 'ephemeral',
      label: `Lease ${l.roleName} (${l.templateName})`.slice(0, 200),
      // No secret is kept: the fingerprint names the lease, so it never matches another credential.
      fingerprint: createHash('sha256').update(`lease:${l.id}`).digest('hex'),
      createdAt: l.issuedAt,
      expiresAt: l.expiresAt,
      // Custodian sees every lease's life; its use is the role's, not reported here.
      usageReported: false,
    },
  })
  await settle(tx, l.orgId, l.identityId)
}

export async function mirrorLeaseRenewed(tx: Tx, orgId: string, leaseId: string, expiresAt: Date) {
  await tx.credential.updateMany({ where: { orgId, externalId: leaseExternalId(leaseId), kind: 'ephemeral' }, data: { expiresAt } })
}

/** The role was dropped (expired, revoked): revoked; given up on (forgotten, the role may remain): inactive. */
export async function mirrorLeaseEnded(tx: Tx, orgId: string, leaseId: string, status: 'revoked' | 'inactive') {
  const c = await tx.credential.findFirst({ where: { orgId, externalId: leaseExternalId(leaseId), kind: 'ephemeral' }, select: { id: true, identityId: true } })
  if (!c) return
  await tx.credential.update({ where: { id: c.id }, data: { status } })
  await settle(tx, orgId, c.identityId)
}
