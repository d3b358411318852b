import 'server-only'
import { createHash } from 'node:crypto'
import { db } from '@/lib/db'
import { problem } from '@/lib/api/problem'
import { seal, unseal } from '@/lib/crypto/seal'

/** How long a key's first response is kept and replayed. */
export const IDEMPOTENCY_TTL_MS = 24 * 3_600_000
/** A key still 'running' after this long belongs to a process that died mid-request: a retry may take it over. */
const RUNNING_STALE_MS = 10 * 60_000
const KEY = /^[\x20-\x7e]{1,255}$/
/** The response headers a replay repeats (the rest are this call's own: request id, rate limits). */
const KEPT_HEADERS = ['content-type', 'location'] as const

/** The request's Idempotency-Key, or null when it has none; a malformed key is a 400 rather than silently ignored. */
export function idempotencyKeyOf(headers: Headers): string | null {
  const key = headers.get('idempotency-key')
  if (key === null) return null
  if (!KEY.test(key)) throw problem(400, 'The Idempotency-Key header must be 1 to 255 printable ASCII characters (a UUID is a good choice).')
  return key
}

/** What makes two requests "the same": method, path with query, and the body's exact bytes. */
export function requestHash(method: string, pathWithQuery: string, body: string): string {
  return createHash('sha256').update(`${method.toUpperCase()} ${pathWithQuery}\n`).update(body).digest('hex')
}

export type StoredResponse = { status: number; body: string | null; headers: Record<string, string> }
type Who = { orgId: string; tokenId: string }
/** A claimed key: its row and when it was claimed (a completion only writes the claim it made). */
export type ClaimedKey = { id: string; at: Date }
type Claim = { claimed: ClaimedKey } | { replay: StoredResponse }

/**
 * Claims a key for this request, or answers what a request with it already answered. The claim is an INSERT that the
 * unique (tokenId, key) index lets succeed once, on both engines, however many processes race. A duplicate still
 * running is a 409; the same key with another request is a 422; a completed one is replayed.
 */
export async function claimIdempotencyKey(who: Who, key: string, hash: string, now = new Date()): Promise<Claim> {
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      const row = await db.apiIdempotencyKey.create({
        data: { orgId: who.orgId, tokenId: who.tokenId, key, requestHash: hash, createdAt: now, expiresAt: new Date(now.getTime() + IDEMPOTENCY_TTL_MS) },
        select: { id: true },
      })
      return { claimed: { id: row.id, at: now } }
    } catch (err) {
      if ((err as { code?: string })?.code !== 'P2002') throw err
    }
    const prior = await db.apiIdempotencyKey.findUnique({ where: { tokenId_key: { tokenId: who.tokenId, key } } })
    if (!prior) continue
    const stale = prior.expiresAt <= now || (prior.status === 'running' && now.getTime() - prior.createdAt.getTime() > RUNNING_STALE_MS)
    if (stale) {
      // Conditional on the row as read: of several retries taking over, exactly one changes it.
      const taken = await db.apiIdempotencyKey.updateMany({
        where: { id: prior.id, status: prior.status, createdAt: prior.createdAt },
        data: {
          requestHash: hash,
          status: 'running',
          responseStatus: null,
          responseBody: null,
          responseHeaders: null,
          createdAt: now,
          expiresAt: new Date(now.getTime() + IDEMPOTENCY_TTL_MS),
        },
      })
      if (taken.count === 1) return { claimed: { id: prior.id, at: now } }
      continue
    }
    if (prior.requestHash !== hash)
      throw problem(422, 'This Idempotency-Key was already used for a different request (method, path or body). Use a new key for a new request.')
    if (prior.status !== 'done' || prior.responseStatus === null)
      throw problem(409, 'A request with this Idempotency-Key is still being processed. Retry once it has finished.', undefined, { 'Retry-After': '1' })
    return {
      replay: {
        status: prior.responseStatus,
        body: openBody(prior.responseBody),
        headers: JSON.parse(prior.responseHeaders ?? '{}') as Record<string, string>,
      },
    }
  }
  throw problem(409, 'A request with this Idempotency-Key is changing state right now. Retry in a moment.', undefined, { 'Retry-After': '1' })
}

/**
 * A kept answer may carry a secret shown once — a lease's password, a webhook's signing secret, a new API token — which
 * must not sit readable in the database for a day. Every kept body is sealed (AES-256-GCM, its own purpose): only this
 * application, answering the same token's retry, can open it. A body that fails to open (the encryption key changed)
 * is replayed as a 409, never as another answer.
 */
function sealBody(body: string | null): string | null {
  return body === null ? null : seal(body, 'idempotent-replay')
}

function openBody(stored: string | null): string | null {
  if (stored === null) return null
  const body = unseal(stored, 'idempotent-replay')
  if (body === null) throw problem(409, 'The first answer to this Idempotency-Key can no longer be read (the server’s encryption key changed). Use a new key.')
  return body
}

/** Keeps the first response for the retries (only headers that belong to the result, not to this call). */
export async function completeIdempotencyKey(claim: ClaimedKey, response: StoredResponse): Promise<void> {
  const lower = Object.fromEntries(Object.entries(response.headers).map(([k, v]) => [k.toLowerCase(), v]))
  const kept = Object.fromEntries(KEPT_HEADERS.flatMap((h) => (lower[h] === undefined ? [] : [[h, lower[h]]])))
  await db.apiIdempotencyKey.updateMany({
    where: { id: claim.id, status: 'running', createdAt: claim.at },
    data: { status: 'done', responseStatus: response.status, responseBody: sealBody(response.body), responseHeaders: JSON.stringify(kept) },
  })
}

/** Frees a key whose request failed on our side (nothing was changed), so a retry runs again. */
export async function releaseIdempotencyKey(claim: ClaimedKey): Promise<void> {
  await db.apiIdempotencyKey.deleteMany({ where: { id: claim.id, status: 'running', createdAt: claim.at } })
}

/** Expired keys of every organization: removed by the cleanup scheduler. */
export async function unsafePruneIdempotencyKeys(now: Date): Promise<number> {
  return (await db.apiIdempotencyKey.deleteMany({ where: { expiresAt: { lte: now } } })).count
}
