import 'server-only'
import { dropCachedTokens } from '@/lib/api-tokens/cache'
import { db, type Tx } from '@/lib/db'
import { fingerprintOf } from '@/lib/connectors/sync'
import { CUSTODIAN_TOKEN_EXTERNAL_PREFIX } from '@/lib/inventory/schemas'
import { settleFindings } from '@/lib/findings/recompute'
import { rollupIdentities } from '@/lib/inventory/rollup'
import { prismaSql } from '@/lib/sql/prisma'

// Custodian's own tokens are non-human identities too, and are governed like the others (issue 14, part 1). An API
// token not bound to an identity becomes an identity of kind `api_key` in the organization's "Custodian API tokens"
// source: its creator is its owner, its secret a credential (salted fingerprint, expiry, rotation), its scopes grants
// on the "Custodian API" resource (writes privileged) — so the findings rules, review campaigns and the dashboard see
// it. A token bound to an identity (an owner's token, a gateway token) is a credential of that identity. Each change
// is mirrored in the token's own transaction (its audit row is the token's).

export const TOKEN_SOURCE = { type: 'custodian_tokens', name: 'Custodian API tokens' } as const
const API_RESOURCE = { externalId: 'custodian-api', name: 'Custodian API', type: 'api' } as const
export const externalIdOf = (tokenId: string) => `${CUSTODIAN_TOKEN_EXTERNAL_PREFIX}${tokenId}`

/** The credential fingerprint of a token's secret: salted SHA-256, the same function as every governed secret's (never the secret). */
export const tokenFingerprint = fingerprintOf

async function tokenSource(tx: Tx, orgId: string) {
  const found = await tx.source.findFirst({ where: { orgId, type: TOKEN_SOURCE.type }, orderBy: { createdAt: 'asc' }, select: { id: true } })
  if (found) return found
  const clash = await tx.source.findFirst({ where: { orgId, name: TOKEN_SOURCE.name }, select: { id: true } })
  return tx.source.create({
    data: { orgId, type: TOKEN_SOURCE.type, name: clash ? `${TOKEN_SOURCE.name} (Custodian)` : TOKEN_SOURCE.name, config: '{}' },
    select: { id: true },
  })
}

async function scopeEntitlements(tx: Tx, orgId: string, sourceId: string, scopes: readonly string[]) {
  const resource =
    (await tx.resource.findFirst({ where: { orgId, sourceId, externalId: API_RESOURCE.externalId }, select: { id: true } })) ??
    (await tx.resource.create({ data: { orgId, sourceId, ...API_RESOURCE, environment: 'production' }, select: { id: true } }))
  const out: { id: string; privileged: boolean }[] = []
  for (const scope of scopes) {
    const privileged = scope.endsWith(':write')
    const e =
      (await tx.entitlement.findFirst({ where: { orgId, sourceId, resourceId: resource.id, externalId: scope }, select: { id: true, privileged: true } })) ??
      (await tx.entitlement.create({
        data: { orgId, sourceId, resourceId: resource.id, externalId: scope, name: scope, privileged, description: `API scope ${scope}` },
        select: { id: true, privileged: true },
      }))
    out.push(e)
  }
  return out
}

type NewToken = {
  id: string
  orgId: string
  name: string
  scopes: readonly string[]
  expiresAt: Date
  createdAt: Date
  /** the secret, to fingerprint; null for a token mirrored after the fact (lib/api-tokens/backfill.ts), whose secret Custodian never kept */
  plaintext: string | null
  /** the identity a bound token reaches (an owner's or gateway token); null: the token is an identity of its own */
  identityId: string | null
  createdById: string | null
}

/** A new token into the inventory: its own identity (with owner, credential and scope grants), or a credential of its identity. */
export async function mirrorNewToken(tx: Tx, t: NewToken): Promise<string> {
  const externalId = externalIdOf(t.id)
  let identityId = t.identityId
  if (!identityId) {
    const source = await tokenSource(tx, t.orgId)
    const identity = await tx.identity.create({
      data: {
        orgId: t.orgId,
        sourceId: source.id,
        externalId,
        name: t.name,
        searchText: `${t.name} ${externalId}`.toLowerCase(),
        kind: 'api_key',
        environment: 'production',
        description: 'A Custodian API token',
        ownerId: t.createdById,
        createdAt: t.createdAt,
        // Custodian sees every use: an empty last use means never used.
        usageReported: true,
      },
      select: { id: true },
    })
    identityId = identity.id
    for (const e of await scopeEntitlements(tx, t.orgId, source.id, t.scopes))
      await tx.grant.create({ data: { orgId: t.orgId, identityId, entitlementId: e.id, privileged: e.privileged, createdAt: t.createdAt } })
  }
  await tx.credential.create({
    data: {
      orgId: t.orgId,
      identityId,
      externalId,
      kind: 'token',
      label: `Custodian token “${t.name}”`.slice(0, 200),
      // Without the secret, the fingerprint names the token (not a hash: it never matches a reported secret); a rotation sets the real one.
      fingerprint: t.plaintext === null ? externalId : tokenFingerprint(t.plaintext),
      createdAt: t.createdAt,
      expiresAt: t.expiresAt,
    },
  })
  await rollupIdentities(prismaSql(tx), [identityId])
  await settleFindings(tx, t.orgId, [identityId], { sharedSecrets: false })
  return identityId
}

async function mirrored(tx: Tx, orgId: string, tokenId: string) {
  return tx.credential.findFirst({ where: { orgId, externalId: externalIdOf(tokenId), kind: 'token' }, select: { id: true, identityId: true } })
}

/** A revoked token: its credential revoked; its own identity (not a bound one) deleted, with its grants, history kept. */
export async function mirrorRevokedToken(tx: Tx, orgId: string, tokenId: string, at: Date) {
  const c = await mirrored(tx, orgId, tokenId)
  if (!c) return
  await tx.credential.update({ where: { id: c.id }, data: { status: 'revoked' } })
  const own = await tx.identity.findFirst({ where: { id: c.identityId, orgId, externalId: externalIdOf(tokenId) }, select: { id: true } })
  if (own) {
    await tx.grant.updateMany({ where: { orgId, identityId: own.id, status: 'active' }, data: { status: 'revoked', revokedAt: at } })
    await tx.identity.update({ where: { id: own.id }, data: { status: 'deleted', updatedAt: at } })
  }
  await rollupIdentities(prismaSql(tx), [c.identityId])
  await settleFindings(tx, orgId, [c.identityId], { sharedSecrets: false })
}

/** A rotated token: the credential's new fingerprint and rotation time (the rotation findings see it). */
export async function mirrorRotatedToken(tx: Tx, orgId: string, tokenId: string, plaintext: string, at: Date) {
  const c = await mirrored(tx, orgId, tokenId)
  if (!c) return
  await tx.credential.update({ where: { id: c.id }, data: { fingerprint: tokenFingerprint(plaintext), lastRotatedAt: at } })
  await rollupIdentities(prismaSql(tx), [c.identityId])
  await settleFindings(tx, orgId, [c.identityId], { sharedSecrets: false })
}

/**
 * A token's use reaches its inventory entry: the credential's last use, and its own identity's (a bound token's
 * identity is touched by what it does). Called where the token's own lastUsedAt is written (at most once a minute).
 */
export async function touchMirroredToken(orgId: string, tokenId: string, at: Date) {
  const c = await db.credential.findFirst({ where: { orgId, externalId: externalIdOf(tokenId), kind: 'token' }, select: { id: true, identityId: true } })
  if (!c) return
  await db.credential.update({ where: { id: c.id }, data: { lastUsedAt: at } })
  await db.identity.updateMany({ where: { id: c.identityId, orgId, externalId: externalIdOf(tokenId) }, data: { lastUsedAt: at } })
}

/** The token an inventory entry mirrors (a credential's or a token identity's externalId `api-token:<id>`), or null. */
export function tokenIdOf(externalId: string | null | undefined): string | null {
  return externalId?.startsWith(CUSTODIAN_TOKEN_EXTERNAL_PREFIX) ? externalId.slice(CUSTODIAN_TOKEN_EXTERNAL_PREFIX.length) : null
}

/**
 * A remediation on a Custodian token's inventory entry acts on the token itself (there is no connector to ask):
 * revoking its credential or disabling its identity revokes the token at once (refused from the next call);
 * revoking one of its scope grants removes that scope. Returns what was done, for the remediation's detail.
 */
export async function remediateToken(tx: Tx, orgId: string, tokenId: string, action: { revoke: true } | { dropScope: string }, at: Date): Promise<string> {
  const token = await tx.apiToken.findFirst({ where: { id: tokenId, orgId }, select: { id: true, scopes: true, revokedAt: true } })
  if (!token) return 'The Custodian token no longer exists.'
  if ('revoke' in action) {
    if (!token.revokedAt) await tx.apiToken.update({ where: { id: token.id, orgId }, data: { revokedAt: at, previousHash: null, previousExpiresAt: null } })
    await mirrorRevokedToken(tx, orgId, token.id, at)
    // In the transaction (its caller commits): dropped now, and any row read meanwhile is dropped within TOKEN_CACHE_MS.
    dropCachedTokens()
    return 'Revoked in Custodian: the token is refused from its next call.'
  }
  const scopes = (JSON.parse(token.scopes) as string[]).filter((s) => s !== action.dropScope)
  await tx.apiToken.update({ where: { id: token.id, orgId }, data: { scopes: JSON.stringify(scopes) } })
  dropCachedTokens()
  return `Scope ${action.dropScope} removed from the Custodian token: calls that need it are refused from now on.`
}
