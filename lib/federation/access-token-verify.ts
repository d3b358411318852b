import type { KeyObject } from 'node:crypto'
import { decodeJwt, decodeProtectedHeader, jwtVerify } from 'jose'

// Verifying Custodian's own access tokens (issued by the token exchange), without a database: the caller says where
// an organization's public keys come from. The web app reads them through Prisma (lib/federation/access-token.ts);
// the gateway process through its own connection (lib/gateway/runtime/store.ts).

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

export class AccessTokenError extends Error {}

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

/**
 * Verifies an access token: EdDSA only, signed by a key of the organization it names (by kid), `issuer`, an audience
 * `audience` accepts (one exact value, or a test such as "a gateway route"), not expired. Returns the claims; throws
 * AccessTokenError with a reason a caller can act on otherwise.
 */
export async function verifyAccessTokenWith(
  token: string,
  audience: string | ((aud: string) => boolean),
  keysOf: (orgId: string) => Promise<Map<string, KeyObject>>,
  issuer: string,
): Promise<AccessTokenClaims> {
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
  // The audience the token claims must be one this verifier accepts; jose then checks it again on the verified claims.
  const claimed = typeof unverified.aud === 'string' ? unverified.aud : null
  const expected = typeof audience === 'string' ? audience : claimed !== null && audience(claimed) ? claimed : null
  if (expected === null) throw new AccessTokenError('This access token is not for this service (its audience).')
  const key = (await keysOf(unverified.org_id)).get(header.kid)
  if (!key) throw new AccessTokenError('This access token was signed with a key the organization does not have.')
  try {
    const { payload } = await jwtVerify(token, key, {
      algorithms: ['EdDSA'],
      issuer,
      audience: expected,
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
