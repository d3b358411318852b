import 'server-only'
import { env } from '@/lib/env'
import { prismaSql } from '@/lib/sql/prisma'
import { num, sql, type SqlClient } from '@/lib/sql/sql'

export type RateLimits = { perToken: number; perOrg: number; windowSeconds: number }

export type RateDecision = {
  allowed: boolean
  /** the policy closest to its limit (the one that refused, when refused) */
  scope: 'token' | 'org'
  limit: number
  remaining: number
  /** seconds until the window ends and the counts start again */
  resetSeconds: number
  windowSeconds: number
}

let override: RateLimits | undefined

/** The limits in force: CUSTODIAN_API_RATE_PER_TOKEN, _PER_ORG and _WINDOW_SECONDS (600 and 3000 a minute by default). */
export function rateLimits(): RateLimits {
  return override ?? env().apiRateLimits
}

/** Tests set small limits (and put the configured ones back with undefined). */
export function setRateLimitsForTests(limits: RateLimits | undefined) {
  override = limits
}

const COUNTER = sql.ident('ApiRateCounter')

/**
 * Calls a process may make before it asks the database again: a share of the limit claimed in one statement and spent
 * in memory. 1 (a statement per call, exact to the call) up to a limit of 100; then 1/100 of the limit, at most 100.
 */
export function leaseSize(limit: number): number {
  return Math.max(1, Math.min(100, Math.floor(limit / 100)))
}

type Lease = { windowStart: number; left: number; used: number; exhausted: boolean; claiming: Promise<void> | null }

/**
 * One process's claimed shares of the shared counters, by bucket. Each web process has its own (the module's); a test
 * simulating another process passes another.
 */
export class RateLeases {
  readonly byBucket = new Map<string, Lease>()
}
const processLeases = new RateLeases()

/**
 * One call from the bucket's share of the current window, claiming a new share from the shared counter when this
 * process's is spent. The counter counts what processes claimed (a claim past the limit is granted only what is left),
 * so however many processes share a bucket, the calls they allow in a window never exceed the limit; a share a process
 * did not spend by the window's end is lost, so a client spreading calls over processes may be refused up to
 * (processes - 1) × leaseSize calls early. Once the counter is past the limit, the process refuses from memory until
 * the window ends (a counter never goes down within its window).
 */
async function take(
  s: SqlClient,
  leases: RateLeases,
  bucket: string,
  limit: number,
  windowStart: Date,
): Promise<{ allowed: boolean; used: number; lease: Lease }> {
  const start = windowStart.getTime()
  let lease = leases.byBucket.get(bucket)
  if (!lease || lease.windowStart < start) {
    // Shares of windows that ended are dropped once there are many (a share is never reused past its window).
    if (leases.byBucket.size >= 10_000) for (const [k, l] of leases.byBucket) if (l.windowStart < start) leases.byBucket.delete(k)
    lease = { windowStart: start, left: 0, used: 0, exhausted: false, claiming: null }
    leases.byBucket.set(bucket, lease)
  } else if (lease.windowStart > start) {
    // This call's clock lags the process's newest window: its window is over, nothing to spend from.
    return { allowed: false, used: limit, lease: { windowStart: start, left: 0, used: limit, exhausted: true, claiming: null } }
  }
  // Calls arriving while a share is being claimed wait for it rather than each claim one.
  while (lease.left === 0 && !lease.exhausted) {
    if (!lease.claiming) {
      const l = lease
      l.claiming = claim(s, bucket, limit, windowStart, l).finally(() => {
        l.claiming = null
      })
    }
    await lease.claiming
  }
  if (lease.left === 0) return { allowed: false, used: limit, lease }
  lease.left--
  return { allowed: true, used: lease.used - lease.left, lease }
}

async function claim(s: SqlClient, bucket: string, limit: number, windowStart: Date, lease: Lease) {
  const want = leaseSize(limit)
  // A process whose clock lags never moves a counter back to an older window.
  const newer = sql`${COUNTER}."windowStart" < excluded."windowStart"`
  const [row] = await s.query<{ count: unknown; windowStart: unknown }>(sql`
    INSERT INTO ${COUNTER} ("bucket", "windowStart", "count") VALUES (${bucket}, ${windowStart}, ${want})
    ON CONFLICT ("bucket") DO UPDATE SET
      "count" = CASE WHEN ${newer} THEN excluded."count" ELSE ${COUNTER}."count" + excluded."count" END,
      "windowStart" = CASE WHEN ${newer} THEN excluded."windowStart" ELSE ${COUNTER}."windowStart" END
    RETURNING "count", "windowStart"`)
  const count = num(row?.count)
  // The counter is in a newer window than this call's (another process's clock runs ahead): counted there, refused here.
  const granted = !row || dbMs(row.windowStart) > windowStart.getTime() ? 0 : Math.max(0, Math.min(want, limit - (count - want)))
  lease.left += granted
  lease.used = Math.max(lease.used, Math.min(count, limit))
  if (granted < want) lease.exhausted = true
}

/** A DateTime read back by a raw statement: epoch ms on SQLite, a Date (or UTC text) on PostgreSQL. */
function dbMs(v: unknown): number {
  if (v instanceof Date) return v.getTime()
  if (typeof v === 'number' || typeof v === 'bigint') return Number(v)
  const t = String(v)
  return /^\d+$/.test(t) ? Number(t) : Date.parse(/[zZ]|[+-]\d\d:?\d\d$/.test(t) ? t : `${t.replace(' ', 'T')}Z`)
}

/**
 * Counts one call against the token and its organization in the current fixed window. The counters live in the
 * database, so every web process shares them: a process claims a share of each (leaseSize) in one upsert and spends it
 * in memory (see take), so a busy token costs a statement per share, not per call, and the limit still holds across
 * processes. A new window resets a counter in the same upsert (one row per bucket, nothing to prune on the hot path).
 * The token's own limit is checked first: a token hammering past it does not use up its organization's; when only the
 * organization's limit refuses, the token's call is given back to its share.
 */
export async function consumeRateLimit(
  who: { tokenId: string; orgId: string },
  limits: RateLimits = rateLimits(),
  opts: { now?: number; client?: SqlClient; leases?: RateLeases } = {},
): Promise<RateDecision> {
  const s = opts.client ?? prismaSql()
  const leases = opts.leases ?? processLeases
  const now = opts.now ?? Date.now()
  const windowMs = limits.windowSeconds * 1000
  const windowStart = new Date(now - (now % windowMs))
  const t = await take(s, leases, `token:${who.tokenId}`, limits.perToken, windowStart)
  const o = t.allowed ? await take(s, leases, `org:${who.orgId}`, limits.perOrg, windowStart) : null
  if (t.allowed && o && !o.allowed) t.lease.left++
  const token = { scope: 'token' as const, limit: limits.perToken, used: t.allowed && o && !o.allowed ? t.used - 1 : t.used }
  const org = { scope: 'org' as const, limit: limits.perOrg, used: o ? o.used : 0 }
  const tokenOver = !t.allowed
  const orgOver = !!o && !o.allowed
  const allowed = !tokenOver && !orgOver
  const binding = tokenOver || (!orgOver && token.limit - token.used <= org.limit - org.used) ? token : org
  return {
    allowed,
    scope: binding.scope,
    limit: binding.limit,
    remaining: Math.max(0, binding.limit - binding.used),
    resetSeconds: Math.max(1, Math.ceil((windowStart.getTime() + windowMs - now) / 1000)),
    windowSeconds: limits.windowSeconds,
  }
}

/** The RateLimit-* headers (draft-ietf-httpapi-ratelimit-headers, separate fields) of a decision; Retry-After when refused. */
export function rateLimitHeaders(d: RateDecision): Record<string, string> {
  return {
    'RateLimit-Limit': String(d.limit),
    'RateLimit-Remaining': String(d.remaining),
    'RateLimit-Reset': String(d.resetSeconds),
    ...(d.allowed ? {} : { 'Retry-After': String(d.resetSeconds) }),
  }
}

/** Counters of tokens that stopped calling (a counter is reset in place while in use): removed by the cleanup scheduler. */
export async function unsafePruneRateCounters(now: Date, s: SqlClient = prismaSql()): Promise<number> {
  return s.execute(sql`DELETE FROM ${COUNTER} WHERE "windowStart" < ${new Date(now.getTime() - 86_400_000)}`)
}
