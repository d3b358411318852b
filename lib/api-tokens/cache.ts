import 'server-only'

/**
 * How long a web process answers from an API token row it read without reading it again (lib/api/authenticate.ts):
 * the longest a change made by ANOTHER process (a revocation, a rotation, a scope or allowlist change) takes to be seen
 * here. Changes made in this process drop the cache at once (dropCachedTokens), and expiry is checked against the
 * clock on every call, cached or not.
 */
export const TOKEN_CACHE_MS = 2_000
const TOKEN_CACHE_MAX = 10_000

/**
 * Rows by the hash of the presented secret (never the secret), with when they were read (Date.now()). One map per
 * process, kept on globalThis: Next.js bundles route handlers and server actions separately, each with its own copy of
 * this module, and a rotation made by a server action must drop what the API's route handlers cached.
 */
const shared = globalThis as unknown as { __custodianTokenRows?: Map<string, { row: unknown; at: number }> }
const rows = (shared.__custodianTokenRows ??= new Map())

export function cachedToken<R>(hash: string, now = Date.now()): R | undefined {
  const hit = rows.get(hash)
  return hit && now >= hit.at && now - hit.at < TOKEN_CACHE_MS ? (hit.row as R) : undefined
}

export function cacheToken(hash: string, row: unknown, now = Date.now()) {
  // Bounded: only tokens that exist are kept, and a full cache starts over rather than grow.
  if (rows.size >= TOKEN_CACHE_MAX) rows.clear()
  rows.set(hash, { row, at: now })
}

/** Forgets every cached token row: called after any change to a token made in this process. */
export function dropCachedTokens() {
  rows.clear()
}
