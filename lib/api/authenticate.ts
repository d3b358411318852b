import 'server-only'
import { recordDenied } from '@/lib/audit/record'
import type { GrantedCtx, TokenActor, WorkloadActor } from '@/lib/auth/org-context'
import type { Permission } from '@/lib/auth/permissions'
import { db } from '@/lib/db'
import { cacheToken, cachedToken } from '@/lib/api-tokens/cache'
import { hashToken, parseToken } from '@/lib/api-tokens/format'
import { touchMirroredToken } from '@/lib/api-tokens/inventory'
import { allowList } from '@/lib/api-tokens/mutations'
import { SCOPE_PERMISSIONS, scopesOf, tokenStatus, type ApiScope } from '@/lib/api-tokens/schemas'
import { GATEWAY_CALL_SCOPE } from '@/lib/gateway/schemas'
import { stringsOf } from '@/lib/json'
import { problem } from '@/lib/api/problem'
import { AccessTokenError, looksLikeJwt, verifyAccessToken } from '@/lib/federation/access-token'
import { taskEnded } from '@/lib/federation/tasks'
import { API_SCOPES } from '@/lib/api-tokens/schemas'
import type { IdentityRow } from '@/lib/policies/request'

/** An API token's context, or a workload's acting with an access token from the token exchange (lib/federation). */
export type TokenCtx = (GrantedCtx<TokenActor> | GrantedCtx<WorkloadActor>) & {
  scopes: ReadonlySet<ApiScope>
  requestId: string
  /** the task an exchanged token was issued for (workloads only) */
  task?: string
  /** a workload's identity as the organization's policies see it (api_call, lib/policies) */
  workload?: IdentityRow
  /** a token limited to one identity (an owner's token): the only identity it reaches (lib/api/bound.ts) */
  identityId?: string
}

const BEARER = { 'WWW-Authenticate': 'Bearer realm="custodian"' }
const INVALID = { 'WWW-Authenticate': 'Bearer realm="custodian", error="invalid_token"' }
/** lastUsedAt is written at most once a minute per token and address: reads stay cheap under load. */
const TOUCH_MS = 60_000

const TOKEN_SELECT = {
  id: true,
  name: true,
  hash: true,
  previousHash: true,
  previousExpiresAt: true,
  scopes: true,
  allowedIps: true,
  expiresAt: true,
  revokedAt: true,
  identityId: true,
  lastUsedAt: true,
  lastUsedIp: true,
  org: { select: { id: true, slug: true, name: true } },
} as const

export type TokenLookupRow = NonNullable<Awaited<ReturnType<typeof findByHash>>>

async function findByHash(hash: string, now: Date) {
  return db.apiToken.findFirst({ where: { OR: [{ hash }, { previousHash: hash, previousExpiresAt: { gt: now } }] }, select: TOKEN_SELECT })
}

/** The last lastUsedAt/lastUsedIp this process wrote (or read) per token: at most one write per token a minute. */
const touched = new Map<string, { at: number; ip: string | null }>()

/** The token row by the hash of its secret, from this process's short cache (lib/api-tokens/cache.ts) or the database. */
async function cachedLookup(hash: string, now: Date): Promise<TokenLookupRow | null> {
  const hit = cachedToken<TokenLookupRow>(hash)
  if (hit) return hit
  const row = await findByHash(hash, now)
  // Unknown secrets are not kept: a made-up token cannot fill the cache, and a new token is found at its first call.
  if (row) {
    cacheToken(hash, row)
    const seen = touched.get(row.id)
    if (row.lastUsedAt && (!seen || seen.at < row.lastUsedAt.getTime())) {
      if (touched.size >= 10_000) touched.clear()
      touched.set(row.id, { at: row.lastUsedAt.getTime(), ip: row.lastUsedIp })
    }
  }
  return row
}

/** The row answers for this secret: its current one, or its previous one until the rotation's overlap ends (as findByHash). */
function matches(row: TokenLookupRow, hash: string, now: Date) {
  return row.hash === hash || (row.previousHash === hash && !!row.previousExpiresAt && row.previousExpiresAt > now)
}

/**
 * The token behind `Authorization: Bearer …` as a context: format and checksum first (no database lookup for a
 * malformed or made-up token), then the hash, expiry, revocation and address allowlist. The organization comes
 * from the token only, never from the request.
 */
export async function authenticate(
  header: string | null,
  ip: string | null,
  requestId: string,
  opts: { now?: Date; lookup?: typeof findByHash } = {},
): Promise<TokenCtx> {
  const now = opts.now ?? new Date()
  if (!header) throw problem(401, 'Send an API token in the Authorization header: `Authorization: Bearer cust_…`.', undefined, BEARER)
  const m = /^Bearer[ ]+(\S+)$/i.exec(header.trim())
  if (!m) throw problem(401, 'The Authorization header must be `Bearer <token>`.', undefined, BEARER)
  if (looksLikeJwt(m[1])) return authenticateAccessToken(m[1], ip, requestId)
  if (!parseToken(m[1])) throw problem(401, 'This is not a Custodian API token (wrong format or checksum). Copy the whole token again.', undefined, INVALID)
  const hash = hashToken(m[1])
  const found = opts.lookup ? await opts.lookup(hash, now) : await cachedLookup(hash, now)
  const row = found && matches(found, hash, now) ? found : null
  if (!row) throw problem(401, 'This API token is not known. It may have been rotated; use the new token.', undefined, INVALID)
  const actor: TokenActor = { type: 'api_token', id: row.id, label: row.name.slice(0, 120) }
  const status = tokenStatus(row, now)
  if (status !== 'active') {
    // Use of a revoked or expired token may be a leak being tried: evidence, rate-limited like every refusal.
    await recordDenied(
      { org: row.org, actor, requestId },
      { action: 'api.authenticate', targetType: 'api-token', targetId: row.id, details: { reason: status, ip } },
    )
    throw problem(
      401,
      status === 'revoked' ? 'This API token was revoked.' : 'This API token has expired. Create a new one in Settings → API tokens.',
      undefined,
      INVALID,
    )
  }
  const ips = stringsOf(row.allowedIps)
  if (ips.length && !(ip && allowList(ips).check(ip, ip.includes(':') ? 'ipv6' : 'ipv4'))) {
    await recordDenied(
      { org: row.org, actor, requestId },
      { action: 'api.authenticate', targetType: 'api-token', targetId: row.id, details: { reason: 'ip-not-allowed', ip } },
    )
    throw problem(403, 'This API token may not be used from your address.')
  }
  // A token that acts as one identity never gets the whole organization: a gateway token calls routes through the
  // gateway only, and an owner's token reaches its identity only (lib/api/bound.ts).
  if (stringsOf(row.scopes).includes(GATEWAY_CALL_SCOPE))
    throw problem(
      403,
      'This is a gateway token: it calls routes through the Custodian gateway as its identity, not the Custodian API. Use an API token from Settings → API tokens.',
    )
  const last = touched.get(row.id)
  if (!last || now.getTime() - last.at > TOUCH_MS || last.ip !== ip) {
    // Marked before the write: calls arriving meanwhile do not write the same minute again.
    touched.set(row.id, { at: now.getTime(), ip })
    await db.apiToken.update({ where: { id: row.id }, data: { lastUsedAt: now, lastUsedIp: ip } })
    await touchMirroredToken(row.org.id, row.id, now)
  }
  const scopes = new Set(scopesOf(row.scopes))
  const permissions = new Set<Permission>([...scopes].flatMap((s) => SCOPE_PERMISSIONS[s]))
  return { org: row.org, actor, permissions, scopes, requestId, ...(row.identityId ? { identityId: row.identityId } : {}) }
}

/**
 * An access token issued by the token exchange for the API (`aud` custodian-api): signed by a key of the organization
 * it names, not expired, and its identity still active (a disabled identity's tokens stop working at once). The actor is
 * the identity, with the token's scopes.
 */
async function authenticateAccessToken(token: string, ip: string | null, requestId: string): Promise<TokenCtx> {
  let claims: Awaited<ReturnType<typeof verifyAccessToken>>
  try {
    claims = await verifyAccessToken(token)
  } catch (err) {
    if (err instanceof AccessTokenError) throw problem(401, err.message, undefined, INVALID)
    throw err
  }
  const identity = await db.identity.findFirst({
    where: { id: claims.sub, orgId: claims.org_id },
    select: {
      id: true,
      name: true,
      status: true,
      kind: true,
      environment: true,
      ownerId: true,
      privileged: true,
      org: { select: { id: true, slug: true, name: true } },
    },
  })
  if (!identity) throw problem(401, 'The identity of this access token no longer exists.', undefined, INVALID)
  const actor: WorkloadActor = { type: 'workload', id: identity.id, label: identity.name.slice(0, 120) }
  if (identity.status !== 'active') {
    await recordDenied(
      { org: identity.org, actor, requestId },
      { action: 'api.authenticate', targetType: 'identity', targetId: identity.id, details: { reason: `identity-${identity.status}`, jti: claims.jti, ip } },
    )
    throw problem(401, 'The identity of this access token is not active.', undefined, INVALID)
  }
  if (await taskEnded(claims.jti)) throw problem(401, 'The task of this access token has ended; exchange a new token.', undefined, INVALID)
  const scopes = new Set(claims.scope.split(' ').filter((x): x is ApiScope => (API_SCOPES as readonly string[]).includes(x)))
  const permissions = new Set<Permission>([...scopes].flatMap((s) => SCOPE_PERMISSIONS[s]))
  const workload: IdentityRow = {
    kind: identity.kind,
    environment: identity.environment,
    ownerId: identity.ownerId,
    privileged: identity.privileged,
    name: identity.name,
  }
  return { org: identity.org, actor, permissions, scopes, requestId, workload, ...(claims.task ? { task: claims.task } : {}) }
}

/** The caller's address: the last X-Forwarded-For hop (added by the proxy in front of Custodian), else X-Real-IP. */
export function clientIp(headers: Headers): string | null {
  const xff = headers.get('x-forwarded-for')
  const last = xff?.split(',').at(-1)?.trim()
  const ip = last || headers.get('x-real-ip')?.trim() || null
  return ip?.replace(/^::ffff:/, '') ?? null
}
