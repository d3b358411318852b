import 'server-only'
import { createRemoteJWKSet, type JWTVerifyGetKey } from 'jose'

// The signing keys of trusted issuers, fetched from their JWKS and kept in this process (jose's remote key set): a
// token whose `kid` is not in the cached set makes one refetch (at most once per cooldown), which is how a rotated key
// is picked up; a kid still unknown after that is refused.

type Options = { cooldownMs: number; cacheMaxAgeMs: number; timeoutMs: number }
const options: Options = { cooldownMs: 30_000, cacheMaxAgeMs: 600_000, timeoutMs: 5_000 }
const sets = new Map<string, JWTVerifyGetKey>()
const discovered = new Map<string, { jwksUri: string; at: number }>()

/** Tests (and an operator through code) may shorten the refetch cooldown; changing options drops the cached sets. */
export function configureKeyCache(o: Partial<Options>) {
  Object.assign(options, o)
  sets.clear()
  discovered.clear()
}

/** The JWKS location: the provider's own, else `jwks_uri` from the issuer's OpenID configuration (whose issuer must be the same). */
async function jwksUriOf(p: { issuer: string; jwksUri: string | null }): Promise<string> {
  if (p.jwksUri) return p.jwksUri
  const hit = discovered.get(p.issuer)
  if (hit && Date.now() - hit.at < options.cacheMaxAgeMs) return hit.jwksUri
  const url = `${p.issuer.replace(/\/$/, '')}/.well-known/openid-configuration`
  const res = await fetch(url, { signal: AbortSignal.timeout(options.timeoutMs), redirect: 'error', headers: { accept: 'application/json' } })
  if (!res.ok) throw new KeySourceError(`The issuer’s OpenID configuration answered ${res.status}.`)
  const text = await res.text()
  if (text.length > 200_000) throw new KeySourceError('The issuer’s OpenID configuration is too large.')
  let doc: { issuer?: unknown; jwks_uri?: unknown }
  try {
    doc = JSON.parse(text) as typeof doc
  } catch {
    throw new KeySourceError('The issuer’s OpenID configuration is not JSON.')
  }
  // OpenID Connect Discovery §4.3: the configuration must name the issuer it was fetched for.
  if (doc.issuer !== p.issuer) throw new KeySourceError('The issuer’s OpenID configuration names another issuer.')
  if (typeof doc.jwks_uri !== 'string' || !/^https?:\/\//.test(doc.jwks_uri)) throw new KeySourceError('The issuer’s OpenID configuration has no jwks_uri.')
  discovered.set(p.issuer, { jwksUri: doc.jwks_uri, at: Date.now() })
  return doc.jwks_uri
}

export class KeySourceError extends Error {}

/** The key set of a provider, made once per process and JWKS location. */
export async function providerKeys(p: { id: string; issuer: string; jwksUri: string | null }): Promise<JWTVerifyGetKey> {
  const uri = await jwksUriOf(p)
  const key = `${p.id} ${uri}`
  let set = sets.get(key)
  if (!set) {
    set = createRemoteJWKSet(new URL(uri), {
      cooldownDuration: options.cooldownMs,
      cacheMaxAge: options.cacheMaxAgeMs,
      timeoutDuration: options.timeoutMs,
    })
    sets.set(key, set)
  }
  return set
}
