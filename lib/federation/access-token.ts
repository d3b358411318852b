import 'server-only'
import { createPublicKey, type KeyObject } from 'node:crypto'
import { db } from '@/lib/db'
import { env } from '@/lib/env'
import type { OrgSigner } from '@/lib/keys/org-keys'
import { API_AUDIENCE } from '@/lib/federation/schemas'
import { ACCESS_TOKEN_TYP, verifyAccessTokenWith, type AccessTokenClaims } from '@/lib/federation/access-token-verify'

// Custodian's own access tokens (issued by the token exchange): JWTs signed EdDSA with the organization's Ed25519
// key, `kid` in the header, so anyone can verify them with the organization's JWKS (GET /api/v1/oauth/jwks?org=…).

export { ACCESS_TOKEN_TYP, AccessTokenError, looksLikeJwt, type AccessTokenClaims } from '@/lib/federation/access-token-verify'

const b64 = (v: unknown) => Buffer.from(JSON.stringify(v), 'utf8').toString('base64url')

/** A compact JWS (RFC 7515) signed with the organization's key: Ed25519 over `header.payload` is JWA `EdDSA`. */
export function signAccessToken(signer: OrgSigner, claims: AccessTokenClaims): string {
  const input = `${b64({ alg: 'EdDSA', typ: ACCESS_TOKEN_TYP, kid: signer.kid })}.${b64(claims)}`
  return `${input}.${signer.sign(input).toString('base64url')}`
}

/** The issuer of Custodian's tokens: the app URL without a trailing slash. */
export function accessTokenIssuer(): string {
  return env().appUrl.replace(/\/$/, '')
}

// Public keys of organizations, read at most every few seconds per organization: a new key is seen within that time.
// An unknown organization is remembered too (no keys), so made-up org_ids cost one query each per period, and the
// cache holds at most KEY_CACHE_MAX organizations (the least recently read go first): the unauthenticated revocation
// endpoint cannot grow it without bound.
const keyCache = new Map<string, { at: number; keys: Map<string, KeyObject> }>()
const KEY_CACHE_MS = 5_000
export const KEY_CACHE_MAX = 1_000
const ORG_ID = /^[A-Za-z0-9_-]{1,64}$/

export async function orgKeysById(orgId: string): Promise<Map<string, KeyObject>> {
  if (!ORG_ID.test(orgId)) return new Map()
  const hit = keyCache.get(orgId)
  if (hit && Date.now() - hit.at < KEY_CACHE_MS) {
    keyCache.delete(orgId)
    keyCache.set(orgId, hit)
    return hit.keys
  }
  const rows = await db.orgKey.findMany({ where: { orgId }, select: { kid: true, publicKey: true } })
  const keys = new Map(rows.map((r) => [r.kid, createPublicKey(r.publicKey)]))
  keyCache.delete(orgId)
  keyCache.set(orgId, { at: Date.now(), keys })
  while (keyCache.size > KEY_CACHE_MAX) keyCache.delete(keyCache.keys().next().value!)
  return keys
}

/** How many organizations' keys are held (for the test of the bound). */
export const keyCacheSize = () => keyCache.size

/** Verifies one of Custodian's access tokens for `audience` with the organizations' keys read through Prisma. */
export async function verifyAccessToken(token: string, audience = API_AUDIENCE): Promise<AccessTokenClaims> {
  return verifyAccessTokenWith(token, audience, orgKeysById, accessTokenIssuer())
}
