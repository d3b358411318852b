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
 * Counts one call against the token and its organization in the current fixed window, in one statement: an upsert of
 * both counters returning their counts. The counters live in the database, so every web process shares them; a new
 * window resets a counter in the same upsert (one row per bucket, nothing to prune on the hot path).
 * A refused call is given back to the organization (one token hammering past its own limit must not use up its
 * organization's), and to the token when only the organization's limit refused it.
 */
export async function consumeRateLimit(
  who: { tokenId: string; orgId: string },
  limits: RateLimits = rateLimits(),
  opts: { now?: number; client?: SqlClient } = {},
): Promise<RateDecision> {
  const s = opts.client ?? prismaSql()
  const now = opts.now ?? Date.now()
  const windowMs = limits.windowSeconds * 1000
  const windowStart = new Date(now - (now % windowMs))
  const tokenBucket = `token:${who.tokenId}`
  const orgBucket = `org:${who.orgId}`
  // A process whose clock lags never moves a counter back to an older window.
  const newer = sql`${COUNTER}."windowStart" < excluded."windowStart"`
  const rows = await s.query<{ bucket: string; count: unknown }>(sql`
    INSERT INTO ${COUNTER} ("bucket", "windowStart", "count") VALUES (${tokenBucket}, ${windowStart}, 1), (${orgBucket}, ${windowStart}, 1)
    ON CONFLICT ("bucket") DO UPDATE SET
      "count" = CASE WHEN ${newer} THEN 1 ELSE ${COUNTER}."count" + 1 END,
      "windowStart" = CASE WHEN ${newer} THEN excluded."windowStart" ELSE ${COUNTER}."windowStart" END
    RETURNING "bucket", "count"`)
  const countOf = (bucket: string) => num(rows.find((r) => r.bucket === bucket)?.count)
  const token = { scope: 'token' as const, limit: limits.perToken, used: countOf(tokenBucket) }
  const org = { scope: 'org' as const, limit: limits.perOrg, used: countOf(orgBucket) }
  const tokenOver = token.used > token.limit
  const orgOver = org.used > org.limit
  const allowed = !tokenOver && !orgOver
  if (!allowed) {
    const giveBack = tokenOver ? [orgBucket] : [orgBucket, tokenBucket]
    await s.execute(
      sql`UPDATE ${COUNTER} SET "count" = "count" - 1 WHERE "bucket" IN (${sql.join(giveBack)}) AND "windowStart" = ${windowStart} AND "count" > 0`,
    )
  }
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
