import 'server-only'
import { createPublicKey, type KeyObject } from 'node:crypto'
import { decodeJwt, decodeProtectedHeader, jwtVerify } from 'jose'
import { db } from '@/lib/db'
import { env } from '@/lib/env'
import type { OrgSigner } from '@/lib/keys/org-keys'
import { API_AUDIENCE } from '@/lib/federation/schemas'

// Custodian's own access tokens (issued by the token exchange): JWTs signed EdDSA with the organization's Ed25519
// key, `kid` in the header, so anyone can verify them with the organization's JWKS (GET /api/v1/oauth/jwks?org=…).

export const ACCESS_TOKEN_TYP = 'at+jwt'

export type AccessTokenClaims = {
  iss: string
  sub: string
  aud: string
  scope: string
  org_id: string
  jti: string
  iat: number
  exp: number
  task?: string
  act?: Record<string, unknown>
}

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

/** Looks like a JWT (three base64url parts, the first a JSON header) rather than a `cust_` token. */
export function looksLikeJwt(token: string): boolean {
  if (!/^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$/.test(token)) return false
  try {
    decodeProtectedHeader(token)
    return true
  } catch {
    return false
  }
}

// Public keys of organizations, read at most every few seconds per organization: a new key is seen within that time.
const keyCache = new Map<string, { at: number; keys: Map<string, KeyObject> }>()
const KEY_CACHE_MS = 5_000

async function orgKeysById(orgId: string): Promise<Map<string, KeyObject>> {
  const hit = keyCache.get(orgId)
  if (hit && Date.now() - hit.at < KEY_CACHE_MS) return hit.keys
  const rows = await db.orgKey.findMany({ where: { orgId }, select: { kid: true, publicKey: true } })
  const keys = new Map(rows.map((r) => [r.kid, createPublicKey(r.publicKey)]))
  keyCache.set(orgId, { at: Date.now(), keys })
  return keys
}

export class AccessTokenError extends Error {}

/**
 * Verifies one of Custodian's access tokens for `audience`: EdDSA only, signed by a key of the organization it names
 * (by kid), our issuer, the audience, not expired. Returns the claims; throws AccessTokenError with a reason otherwise.
 */
export async function verifyAccessToken(token: string, audience = API_AUDIENCE): Promise<AccessTokenClaims> {
  let header: ReturnType<typeof decodeProtectedHeader>
  let unverified: ReturnType<typeof decodeJwt>
  try {
    header = decodeProtectedHeader(token)
    unverified = decodeJwt(token)
  } catch {
    throw new AccessTokenError('This is not a well-formed access token.')
  }
  // Only our own algorithm: a token claiming HS256 or none is refused before any key is looked at.
  if (header.alg !== 'EdDSA' || typeof header.kid !== 'string') throw new AccessTokenError('This access token was not signed by Custodian.')
  if (typeof unverified.org_id !== 'string' || unverified.org_id.length > 40) throw new AccessTokenError('This access token names no organization.')
  const key = (await orgKeysById(unverified.org_id)).get(header.kid)
  if (!key) throw new AccessTokenError('This access token was signed with a key the organization does not have.')
  try {
    const { payload } = await jwtVerify(token, key, {
      algorithms: ['EdDSA'],
      issuer: accessTokenIssuer(),
      audience,
      typ: ACCESS_TOKEN_TYP,
      requiredClaims: ['exp', 'sub', 'jti'],
    })
    if (typeof payload.sub !== 'string' || typeof payload.scope !== 'string' || typeof payload.jti !== 'string')
      throw new AccessTokenError('This access token is not valid here.')
    return payload as unknown as AccessTokenClaims
  } catch (err) {
    if (err instanceof AccessTokenError) throw err
    const code = (err as { code?: string }).code
    throw new AccessTokenError(code === 'ERR_JWT_EXPIRED' ? 'This access token has expired; exchange a new one.' : 'This access token is not valid here.')
  }
}
