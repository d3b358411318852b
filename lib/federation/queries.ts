import 'server-only'
import { decodeJwt, jwtVerify, type JWTPayload } from 'jose'
import { assertCan, type Ctx } from '@/lib/auth/org-context'
import { db } from '@/lib/db'
import { NotFoundError, ValidationError } from '@/lib/errors'
import { stringsOf } from '@/lib/json'
import { ALLOWED_ALGS, LEEWAY_SECONDS, providerRules } from '@/lib/federation/exchange'
import { providerKeys } from '@/lib/federation/keys'
import { matchRules } from '@/lib/federation/match'
import type { TestTokenInput } from '@/lib/federation/schemas'

export type ProviderDto = {
  id: string
  name: string
  issuer: string
  audiences: string[]
  jwksUri: string | null
  preset: string
  status: string
  createdAt: Date
  rules: RuleDto[]
}
export type RuleDto = {
  id: string
  name: string
  identity: { id: string; name: string; status: string }
  condition: string
  scopes: string[]
  audiences: string[]
  maxTtlSeconds: number
  status: string
}

const RULE_SELECT = {
  id: true,
  name: true,
  condition: true,
  scopes: true,
  audiences: true,
  maxTtlSeconds: true,
  status: true,
  identity: { select: { id: true, name: true, status: true } },
} as const

function ruleDto(r: {
  id: string
  name: string
  condition: string
  scopes: string
  audiences: string
  maxTtlSeconds: number
  status: string
  identity: RuleDto['identity']
}): RuleDto {
  return { ...r, scopes: stringsOf(r.scopes), audiences: stringsOf(r.audiences) }
}

/** The organization's trust providers with their rules. */
export async function listProviders(ctx: Ctx): Promise<ProviderDto[]> {
  assertCan(ctx, 'source:read')
  const rows = await db.trustProvider.findMany({
    where: { orgId: ctx.org.id },
    orderBy: [{ createdAt: 'asc' }, { id: 'asc' }],
    include: { rules: { where: { orgId: ctx.org.id }, orderBy: [{ createdAt: 'asc' }, { id: 'asc' }], select: RULE_SELECT } },
  })
  return rows.map((p) => ({
    id: p.id,
    name: p.name,
    issuer: p.issuer,
    audiences: stringsOf(p.audiences),
    jwksUri: p.jwksUri,
    preset: p.preset,
    status: p.status,
    createdAt: p.createdAt,
    rules: p.rules.map(ruleDto),
  }))
}

export async function getRuleOrThrow(ctx: Ctx, ruleId: string): Promise<RuleDto & { providerId: string }> {
  assertCan(ctx, 'source:read')
  const r = await db.trustRule.findFirst({ where: { id: ruleId, orgId: ctx.org.id }, select: { ...RULE_SELECT, providerId: true } })
  if (!r) throw new NotFoundError('Trust rule not found')
  return { ...ruleDto(r), providerId: r.providerId }
}

export type TokenTest = {
  provider: { id: string; name: string; issuer: string }
  /** for a JWT: whether the exchange would accept it before looking at rules (signature, issuer, audience, time); null for bare claims */
  verification: { ok: boolean; detail: string } | null
  rules: { id: string; name: string; identity: { id: string; name: string }; result: 'matched' | 'not-matched' | 'error'; error?: string }[]
  /** what the exchange would do with these claims */
  outcome: { kind: 'one-match'; ruleId: string } | { kind: 'no-match' } | { kind: 'ambiguous'; ruleIds: string[] }
}

/**
 * "Test a token": which of a provider's rules match a JWT (or bare claims) and why, issuing nothing and storing
 * nothing. The rules and the matcher are the exchange's own (providerRules, matchRules), so the answer is the one the
 * exchange would give; for a JWT the signature and time checks are reported beside it, not required.
 */
export async function testToken(ctx: Ctx, input: Omit<TestTokenInput, 'orgSlug'>): Promise<TokenTest> {
  assertCan(ctx, 'source:read')
  let claims: JWTPayload
  if (input.token) {
    try {
      claims = decodeJwt(input.token)
    } catch {
      throw new ValidationError('This is not a JWT.', { token: ['Paste the whole token: three parts separated by dots.'] })
    }
  } else claims = input.claims as JWTPayload
  const providers = await db.trustProvider.findMany({
    where: { orgId: ctx.org.id, ...(input.providerId ? { id: input.providerId } : { issuer: String(claims.iss ?? '') }) },
  })
  if (input.providerId && !providers.length) throw new NotFoundError('Trust provider not found')
  const aud = Array.isArray(claims.aud) ? claims.aud : [claims.aud]
  const provider = providers.length === 1 ? providers[0] : providers.find((p) => stringsOf(p.audiences).some((x) => aud.includes(x)))
  if (!provider)
    throw new ValidationError('No trust provider of this organization has this token’s issuer.', {
      [input.token ? 'token' : 'claims']: [`Register a provider for the issuer ${JSON.stringify(claims.iss ?? null)}, or choose one.`],
    })
  let verification: TokenTest['verification'] = null
  if (input.token) {
    try {
      await jwtVerify(input.token, await providerKeys(provider), {
        issuer: provider.issuer,
        audience: stringsOf(provider.audiences),
        algorithms: ALLOWED_ALGS,
        clockTolerance: LEEWAY_SECONDS,
        requiredClaims: ['exp'],
      })
      verification = { ok: true, detail: 'Signature, issuer, audience and validity period are acceptable.' }
    } catch (err) {
      verification = { ok: false, detail: err instanceof Error ? err.message : 'The token does not verify.' }
    }
  }
  const rules = await providerRules(ctx.org.id, provider.id)
  const identities = new Map(
    (await db.identity.findMany({ where: { orgId: ctx.org.id, id: { in: rules.map((r) => r.identityId) } }, select: { id: true, name: true } })).map((i) => [
      i.id,
      i,
    ]),
  )
  const verdicts = matchRules(provider.id, rules, claims)
  const matched = verdicts.filter((v) => v.result === 'matched').map((v) => v.ruleId)
  return {
    provider: { id: provider.id, name: provider.name, issuer: provider.issuer },
    verification,
    rules: rules.map((r, i) => ({
      id: r.id,
      name: r.name,
      identity: identities.get(r.identityId) ?? { id: r.identityId, name: '(unknown)' },
      result: verdicts[i].result,
      ...(verdicts[i].error ? { error: verdicts[i].error } : {}),
    })),
    outcome:
      matched.length === 1 ? { kind: 'one-match', ruleId: matched[0] } : matched.length === 0 ? { kind: 'no-match' } : { kind: 'ambiguous', ruleIds: matched },
  }
}

export type ExchangeRow = {
  id: string
  at: Date
  outcome: string
  reason: string | null
  subject: string | null
  scope: string | null
  audience: string | null
  task: string | null
  expiresAt: Date | null
  identity: { id: string; name: string } | null
  providerId: string | null
}

/** The most recent exchanges, issued and refused, of the organization or of one provider. */
export async function recentExchanges(ctx: Ctx, opts: { providerId?: string; take?: number } = {}): Promise<ExchangeRow[]> {
  assertCan(ctx, 'source:read')
  const rows = await db.tokenExchange.findMany({
    where: { orgId: ctx.org.id, ...(opts.providerId ? { providerId: opts.providerId } : {}) },
    orderBy: [{ at: 'desc' }, { id: 'desc' }],
    take: opts.take ?? 20,
    select: {
      id: true,
      at: true,
      outcome: true,
      reason: true,
      subject: true,
      scope: true,
      audience: true,
      task: true,
      expiresAt: true,
      identityId: true,
      providerId: true,
    },
  })
  const ids = [...new Set(rows.map((r) => r.identityId).filter((x): x is string => !!x))]
  const names = new Map(
    (await db.identity.findMany({ where: { orgId: ctx.org.id, id: { in: ids } }, select: { id: true, name: true } })).map((i) => [i.id, i] as const),
  )
  return rows.map(({ identityId, ...r }) => ({ ...r, identity: identityId ? (names.get(identityId) ?? null) : null }))
}

/** Exchanges of the last 24 hours, issued and refused by reason, read from at most this many rows (shown as "N+"). */
export const EXCHANGE_STATS_CAP = 10_000
export type ExchangeStats = { issued: number; refused: number; reasons: { reason: string; count: number }[]; capped: boolean }

export async function exchangeStats(ctx: Ctx, now = new Date()): Promise<ExchangeStats> {
  assertCan(ctx, 'source:read')
  // Read through the (orgId, at) index, newest first and capped: never a count over millions of rows per page view.
  const rows = await db.tokenExchange.findMany({
    where: { orgId: ctx.org.id, at: { gte: new Date(now.getTime() - 24 * 3600_000) } },
    orderBy: { at: 'desc' },
    take: EXCHANGE_STATS_CAP + 1,
    select: { outcome: true, reason: true },
  })
  const capped = rows.length > EXCHANGE_STATS_CAP
  const reasons = new Map<string, number>()
  let issued = 0
  for (const r of rows.slice(0, EXCHANGE_STATS_CAP)) {
    if (r.outcome === 'issued') issued++
    else reasons.set(r.reason ?? 'unknown', (reasons.get(r.reason ?? 'unknown') ?? 0) + 1)
  }
  const refused = [...reasons.values()].reduce((a, b) => a + b, 0)
  return { issued, refused, capped, reasons: [...reasons].map(([reason, count]) => ({ reason, count })).sort((a, b) => b.count - a.count) }
}

export async function getProviderOrThrow(ctx: Ctx, providerId: string): Promise<ProviderDto> {
  const p = (await listProviders(ctx)).find((x) => x.id === providerId)
  if (!p) throw new NotFoundError('Trust provider not found')
  return p
}

export type IdentityTask = {
  jti: string
  task: string | null
  scope: string | null
  audience: string | null
  issuedAt: Date
  expiresAt: Date | null
  endedAt: Date | null
  calls: { allowed: number; refused: number }
}

/**
 * An identity's short-lived tokens, newest first: the task each was for, what it allowed (scope and audience), how it
 * ended, and what it did through the gateway (its calls are recorded under `jwt:<jti>`). Two indexed reads: the
 * exchanges by (identityId, at), their calls by (identityId, at) from the oldest one shown.
 */
export async function identityTasks(ctx: Ctx, identityId: string, take = 10): Promise<IdentityTask[]> {
  assertCan(ctx, 'identity:read')
  const rows = await db.tokenExchange.findMany({
    where: { orgId: ctx.org.id, identityId, outcome: 'issued' },
    orderBy: [{ at: 'desc' }, { id: 'desc' }],
    take,
    select: { jti: true, task: true, scope: true, audience: true, at: true, expiresAt: true, endedAt: true },
  })
  const withJti = rows.filter((r): r is typeof r & { jti: string } => !!r.jti)
  if (!withJti.length) return []
  const calls = await db.gatewayCall.groupBy({
    by: ['tokenId', 'decision'],
    where: { orgId: ctx.org.id, identityId, at: { gte: withJti[withJti.length - 1].at }, tokenId: { in: withJti.map((r) => `jwt:${r.jti}`) } },
    _count: { _all: true },
  })
  const count = (jti: string, allowed: boolean) =>
    calls.filter((c) => c.tokenId === `jwt:${jti}` && (c.decision === 'allow') === allowed).reduce((a, c) => a + c._count._all, 0)
  return withJti.map((r) => ({
    jti: r.jti,
    task: r.task,
    scope: r.scope,
    audience: r.audience,
    issuedAt: r.at,
    expiresAt: r.expiresAt,
    endedAt: r.endedAt,
    calls: { allowed: count(r.jti, true), refused: count(r.jti, false) },
  }))
}
