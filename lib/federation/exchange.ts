import 'server-only'
import { createHash, randomUUID } from 'node:crypto'
import { decodeJwt, decodeProtectedHeader, errors as joseErrors, jwtVerify, type JWTPayload } from 'jose'
import { apiLog } from '@/lib/api/log'
import { recordDenied } from '@/lib/audit/record'
import type { Org } from '@/lib/auth/org-context'
import { db } from '@/lib/db'
import { stringsOf } from '@/lib/json'
import { orgSigner } from '@/lib/keys/org-keys'
import { accessTokenIssuer, signAccessToken, type AccessTokenClaims } from '@/lib/federation/access-token'
import { commitIssued, EXCHANGE_ACTOR } from '@/lib/federation/commit'
import { providerKeys } from '@/lib/federation/keys'
import { matchRules, type RuleVerdict } from '@/lib/federation/match'
import { env } from '@/lib/env'
import { decidePolicy } from '@/lib/policies/current'
import { API_TARGET, exchangeRequest, routeTarget } from '@/lib/policies/request'
import { API_AUDIENCE, AUDIENCE_PATTERN, DEFAULT_TTL_SECONDS, MAX_TASK_CHARS, MAX_TTL_SECONDS } from '@/lib/federation/schemas'

// RFC 8693 token exchange: a workload presents a JWT its platform gave it (GitHub Actions, Kubernetes, any OIDC issuer
// an organization trusts) and receives a short-lived Custodian access token bound to one identity.

export const GRANT_TYPE = 'urn:ietf:params:oauth:grant-type:token-exchange'
export const SUBJECT_TOKEN_TYPES = ['urn:ietf:params:oauth:token-type:jwt', 'urn:ietf:params:oauth:token-type:id_token']
export const ISSUED_TOKEN_TYPE = 'urn:ietf:params:oauth:token-type:access_token'
const REQUESTED_TOKEN_TYPES = [ISSUED_TOKEN_TYPE, 'urn:ietf:params:oauth:token-type:jwt']
/** Asymmetric signatures only: `none` proves nothing, and HS* would verify with a secret anyone can read from a JWKS. */
export const ALLOWED_ALGS = ['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'ES512', 'EdDSA', 'Ed25519']
/** Clock skew tolerated on exp, nbf and iat. */
export const LEEWAY_SECONDS = 60
const MAX_SUBJECT_TOKEN_CHARS = 16_000

export type OAuthErrorCode = 'invalid_request' | 'unsupported_grant_type' | 'invalid_scope' | 'invalid_target'

/** An RFC 6749 §5.2 error answer: `{ error, error_description }` with 400. */
export class OAuthError extends Error {
  constructor(
    readonly error: OAuthErrorCode,
    readonly description: string,
    /** what the attempt row and the audit say (a short code), when the subject token was looked at */
    readonly reason?: string,
  ) {
    super(description)
  }
}

export type ExchangeResult = {
  access_token: string
  issued_token_type: typeof ISSUED_TOKEN_TYPE
  token_type: 'Bearer'
  expires_in: number
  scope: string
}

type Attempt = {
  issuer: string
  subject: string | null
  replayKey: string
  org: Org | null
  providerId: string | null
  ruleId: string | null
  identityId: string | null
  /** the subject token's signature verified: until then its claims (subject) are only what the caller wrote */
  verified: boolean
}

/** The parameters of the request, each at most once (RFC 6749 §3.2). */
function paramsOf(form: URLSearchParams) {
  const seen = new Set<string>()
  for (const k of form.keys()) {
    if (seen.has(k)) throw new OAuthError('invalid_request', `The parameter “${k}” is given more than once.`)
    seen.add(k)
  }
  const get = (k: string) => form.get(k) ?? undefined
  if (get('grant_type') !== GRANT_TYPE) throw new OAuthError('unsupported_grant_type', `Only grant_type=${GRANT_TYPE} is supported here.`)
  const subjectToken = get('subject_token')
  if (!subjectToken) throw new OAuthError('invalid_request', 'Send the workload’s JWT as subject_token.')
  if (subjectToken.length > MAX_SUBJECT_TOKEN_CHARS) throw new OAuthError('invalid_request', 'The subject token is too long.')
  const type = get('subject_token_type')
  if (!type || !SUBJECT_TOKEN_TYPES.includes(type))
    throw new OAuthError('invalid_request', `subject_token_type must be one of ${SUBJECT_TOKEN_TYPES.join(', ')}.`)
  if (get('actor_token') || get('actor_token_type'))
    throw new OAuthError('invalid_request', 'actor_token is not supported; a delegation chain is kept from the subject token’s act claim.')
  const requested = get('requested_token_type')
  if (requested && !REQUESTED_TOKEN_TYPES.includes(requested)) throw new OAuthError('invalid_request', `requested_token_type must be ${ISSUED_TOKEN_TYPE}.`)
  if (get('resource')) throw new OAuthError('invalid_target', 'Name what the token is for with audience (custodian-api or gateway:<route id>), not resource.')
  const audience = get('audience') ?? API_AUDIENCE
  if (!AUDIENCE_PATTERN.test(audience)) throw new OAuthError('invalid_target', 'audience must be custodian-api or gateway:<route id>.')
  const scopeText = get('scope')
  const scopes = scopeText === undefined ? null : [...new Set(scopeText.split(' ').filter(Boolean))]
  if (scopes && scopes.length === 0) throw new OAuthError('invalid_scope', 'scope is empty; leave it out to get every scope the rule allows.')
  const task = get('task')
  if (task !== undefined && (task.length === 0 || task.length > MAX_TASK_CHARS || /[\u0000-\u001f\u007f]/.test(task)))
    throw new OAuthError('invalid_request', `task must be 1–${MAX_TASK_CHARS} printable characters.`)
  const ttlText = get('expires_in')
  const ttl = ttlText === undefined ? null : Number(ttlText)
  if (ttl !== null && (!Number.isInteger(ttl) || ttl < 1)) throw new OAuthError('invalid_request', 'expires_in must be a whole number of seconds.')
  return { subjectToken, audience, scopes, task, ttl }
}

const refusal = (reason: string, description: string, error: OAuthErrorCode = 'invalid_request') => new OAuthError(error, description, reason)

/** jose's verdicts as precise refusals: which check failed, never a key or the token. */
function verifyRefusal(err: unknown): OAuthError {
  if (err instanceof joseErrors.JWTExpired) return refusal('expired', 'The subject token has expired.')
  if (err instanceof joseErrors.JWTClaimValidationFailed) {
    if (err.claim === 'nbf') return refusal('not-yet-valid', 'The subject token is not valid yet (nbf is in the future).')
    if (err.claim === 'exp') return refusal('missing-exp', 'The subject token must carry exp.')
    if (err.claim === 'aud') return refusal('wrong-audience', 'The subject token’s audience is not one this provider accepts.')
    if (err.claim === 'iss') return refusal('untrusted-issuer', 'The subject token’s issuer is not trusted.')
    return refusal('invalid-claims', `The subject token’s ${err.claim} claim is not acceptable.`)
  }
  if (err instanceof joseErrors.JWKSNoMatchingKey)
    return refusal('unknown-kid', 'The subject token was signed with a key the issuer does not publish (unknown kid).')
  if (err instanceof joseErrors.JWKSMultipleMatchingKeys)
    return refusal('ambiguous-key', 'The issuer publishes several keys matching the token; it must name one with kid.')
  if (err instanceof joseErrors.JWSSignatureVerificationFailed) return refusal('bad-signature', 'The subject token’s signature does not verify.')
  if (err instanceof joseErrors.JOSEAlgNotAllowed) return refusal('alg-not-allowed', 'The subject token’s signing algorithm is not accepted.')
  if (err instanceof joseErrors.JWKSTimeout || err instanceof joseErrors.JWKSInvalid || (err as Error)?.name === 'TypeError')
    return refusal('keys-unavailable', 'The issuer’s signing keys could not be fetched; try again shortly.')
  if (err instanceof joseErrors.JOSEError) return refusal('invalid-token', 'The subject token is not valid.')
  return refusal('keys-unavailable', 'The issuer’s signing keys could not be fetched; try again shortly.')
}

// What the exchange reads on every call (providers of an issuer, a provider's rules, an identity's status, the
// organization's signer) is kept for at most a second in this process: a busy issuer costs a few reads a second instead
// of a few per exchange, and a disabled provider, rule or identity is refused within a second.
export const READ_CACHE_MS = 1_000
const cache = new Map<string, { at: number; value: Promise<unknown> }>()
function cached<T>(key: string, load: () => Promise<T>): Promise<T> {
  const hit = cache.get(key)
  if (hit && Date.now() - hit.at < READ_CACHE_MS) return hit.value as Promise<T>
  if (cache.size > 10_000) cache.clear()
  const value = load()
  cache.set(key, { at: Date.now(), value })
  value.catch(() => cache.delete(key))
  return value
}
/** Tests change rules and statuses and exchange right after: they start from fresh reads. */
export function clearExchangeCache() {
  cache.clear()
}

const sha256 = (s: string) => createHash('sha256').update(s).digest('hex')
const audiencesOf = (aud: JWTPayload['aud']) => (Array.isArray(aud) ? aud : typeof aud === 'string' ? [aud] : []).filter((a) => typeof a === 'string')
const clip = (s: unknown, n: number) => (typeof s === 'string' ? s.slice(0, n) : null)

/**
 * Every attempt leaves a TokenExchange row; a refusal in a known organization is also audited
 * (`federation.exchange-refused`, bounded per provider like every refusal), otherwise it is only logged.
 */
async function recordRefusal(a: Attempt, err: OAuthError, requestId?: string) {
  const reason = err.reason ?? err.error
  try {
    await db.tokenExchange.create({
      data: {
        orgId: a.org?.id ?? null,
        providerId: a.providerId,
        ruleId: a.ruleId,
        identityId: a.identityId,
        issuer: a.issuer,
        subject: a.subject,
        replayKey: a.replayKey,
        outcome: 'refused',
        reason,
      },
    })
  } catch (e) {
    apiLog().error({ requestId, err: String(e) }, 'token exchange: attempt not recorded')
  }
  if (a.org && a.providerId) {
    // The actor id is the provider's: recordDenied's per-actor bound then caps what one issuer's tokens can write.
    await recordDenied(
      { org: a.org, actor: { type: 'system', id: a.providerId, label: 'token exchange' }, requestId },
      {
        action: 'federation.exchange-refused',
        targetType: a.identityId ? 'identity' : 'trust-provider',
        targetId: a.identityId ?? a.providerId,
        details: {
          reason,
          error: err.error,
          description: err.description,
          issuer: a.issuer,
          subject: a.subject,
          subjectVerified: a.verified,
          providerId: a.providerId,
          ruleId: a.ruleId,
        },
      },
    )
  } else {
    apiLog().warn({ requestId, issuer: a.issuer, subject: a.subject, reason }, 'token exchange refused (no organization)')
  }
}

/** The provider a subject token names: its issuer plus one of its own audiences, unique across organizations. */
async function findProvider(a: Attempt, aud: string[]) {
  const all = await cached(`issuer ${a.issuer}`, () =>
    db.trustProviderAudience.findMany({
      where: { issuer: a.issuer },
      select: { audience: true, provider: { include: { org: { select: { id: true, slug: true, name: true } } } } },
    }),
  )
  const rows = all.filter((r) => aud.includes(r.audience))
  const providers = [...new Map(rows.map((r) => [r.provider.id, r.provider])).values()]
  if (providers.length === 1) return providers[0]
  if (providers.length > 1)
    throw refusal('ambiguous-audience', 'The subject token’s audiences name more than one trust provider; ask your platform for one audience.')
  // No audience matched: say whether the issuer is trusted at all, and when only one organization trusts it, the refusal is that organization's evidence.
  const byIssuer = await db.trustProvider.findMany({
    where: { issuer: a.issuer },
    select: { id: true, org: { select: { id: true, slug: true, name: true } } },
    take: 2,
  })
  if (byIssuer.length === 0) throw refusal('untrusted-issuer', 'The subject token’s issuer is not trusted by any organization.')
  if (byIssuer.length === 1) {
    a.org = byIssuer[0].org
    a.providerId = byIssuer[0].id
  }
  throw refusal('wrong-audience', 'The subject token’s audience is not one a trust provider accepts. Ask for the audience your organization registered.')
}

/**
 * Runs one exchange from the form parameters. Order: request shape → issuer + audience (the organization) → header alg
 * → signature by kid, exp/nbf/iat → exactly one rule → identity active → audience and scope only narrowed → TTL →
 * sign → the attempt row (whose unique (issuer, spentKey) refuses a replay) and the audit row, committed together
 * (group commit) before the token is returned.
 */
export async function exchangeToken(form: URLSearchParams, opts: { requestId?: string; now?: Date } = {}): Promise<ExchangeResult> {
  const req = paramsOf(form)
  const now = opts.now ?? new Date()
  const nowS = Math.floor(now.getTime() / 1000)
  const a: Attempt = {
    issuer: '',
    subject: null,
    replayKey: sha256(req.subjectToken),
    org: null,
    providerId: null,
    ruleId: null,
    identityId: null,
    verified: false,
  }
  try {
    let header: ReturnType<typeof decodeProtectedHeader>
    let claims: JWTPayload
    try {
      header = decodeProtectedHeader(req.subjectToken)
      claims = decodeJwt(req.subjectToken)
    } catch {
      throw refusal('malformed', 'The subject token is not a JWT.')
    }
    a.issuer = clip(claims.iss, 500) ?? ''
    a.subject = clip(claims.sub, 300)
    if (typeof claims.jti === 'string' && claims.jti.length > 0 && claims.jti.length <= 200) a.replayKey = claims.jti
    if (!a.issuer) throw refusal('untrusted-issuer', 'The subject token has no issuer (iss).')
    const provider = await findProvider(a, audiencesOf(claims.aud))
    a.org = provider.org
    a.providerId = provider.id
    // Checked once the organization is known, so that an `alg: none` or HS256 forgery is evidence in its audit log.
    if (typeof header.alg !== 'string' || !ALLOWED_ALGS.includes(header.alg))
      throw refusal(
        'alg-not-allowed',
        `The subject token’s algorithm ${JSON.stringify(header.alg ?? null)} is not accepted; it must be signed with a public-key algorithm.`,
      )
    if (provider.status !== 'active') throw refusal('provider-disabled', 'This trust provider is disabled.')

    let verified: JWTPayload
    try {
      const keys = await providerKeys(provider)
      // The subject token's own audience is checked against this provider's: a token minted for another service is refused.
      ;({ payload: verified } = await jwtVerify(req.subjectToken, keys, {
        issuer: provider.issuer,
        audience: stringsOf(provider.audiences),
        algorithms: ALLOWED_ALGS,
        clockTolerance: LEEWAY_SECONDS,
        requiredClaims: ['exp'],
        currentDate: now,
      }))
    } catch (err) {
      throw verifyRefusal(err)
    }
    a.verified = true
    if (typeof verified.iat === 'number' && verified.iat > nowS + LEEWAY_SECONDS) throw refusal('issued-in-future', 'The subject token’s iat is in the future.')
    // The issued row that refuses a replay is deleted after the retention (lib/gateway/retention.ts): a subject token that
    // would outlive its row could be replayed then, so such a token is refused (platform tokens live minutes to hours).
    if (typeof verified.exp === 'number' && verified.exp > nowS + env().retention.tokenExchangeDays * 86_400)
      throw refusal('lifetime-too-long', `The subject token is valid for more than ${env().retention.tokenExchangeDays} days; use a shorter-lived token.`)

    const rules = await cached(`rules ${provider.id}`, () => providerRules(provider.orgId, provider.id))
    const matched = matchRules(provider.id, rules, verified).filter((v) => v.result === 'matched')
    // Named nothing: which rules exist and what they test stays with the organization (its audit row has the rule ids).
    if (matched.length === 0) throw refusal('no-rule', 'No trust rule matches this token.')
    if (matched.length > 1) throw refusal('ambiguous-rules', 'More than one trust rule matches this token; an administrator must make the rules exclusive.')
    const rule = rules.find((r) => r.id === matched[0].ruleId)!
    a.ruleId = rule.id
    a.identityId = rule.identityId

    const identity = await cached(`identity ${rule.identityId}`, () =>
      db.identity.findFirst({
        where: { id: rule.identityId, orgId: provider.orgId },
        select: { id: true, name: true, status: true, kind: true, environment: true, ownerId: true, privileged: true },
      }),
    )
    if (!identity || identity.status !== 'active') throw refusal('identity-inactive', 'The identity this token maps to is not active.')

    // Only ever narrowed: the audience must be one the rule lists, the scopes a subset of the rule's.
    if (!stringsOf(rule.audiences).includes(req.audience))
      throw refusal('audience-not-allowed', `The trust rule does not allow the audience “${req.audience}”.`, 'invalid_target')
    let target = API_TARGET
    if (req.audience.startsWith('gateway:')) {
      const route = await cached(`route ${provider.orgId} ${req.audience}`, () =>
        db.gatewayRoute.findFirst({
          where: { id: req.audience.slice(8), orgId: provider.orgId, status: 'active' },
          select: { id: true, name: true, resource: { select: { environment: true } } },
        }),
      )
      if (!route) throw refusal('audience-not-allowed', `The gateway route in “${req.audience}” is not active.`, 'invalid_target')
      target = routeTarget({ name: route.name, environment: route.resource.environment })
    }
    const allowed = stringsOf(rule.scopes)
    const scopes = req.scopes ?? allowed
    const extra = scopes.filter((s) => !allowed.includes(s))
    if (extra.length) throw refusal('scope-not-allowed', `The trust rule does not allow the scope ${extra.map((s) => `“${s}”`).join(', ')}.`, 'invalid_scope')

    const ttl = Math.min(req.ttl ?? DEFAULT_TTL_SECONDS, rule.maxTtlSeconds, MAX_TTL_SECONDS)
    // The organization's Cedar policies restrict what the rule allows: asked last, with the settled scope, TTL and audience.
    const policy = await decidePolicy(provider.orgId, exchangeRequest(identity, target, { scopes, ttlSeconds: ttl, task: req.task ?? null, at: now }))
    if (policy.decision === 'deny')
      throw refusal(
        'policy-denied',
        policy.policies.length
          ? `The organization’s policy forbids this exchange: ${policy.policies.map((p) => `“${p}”`).join(', ')}.`
          : 'The organization’s policies could not be evaluated for this exchange.',
      )
    const jti = randomUUID()
    const scope = [...scopes].sort().join(' ')
    const token: AccessTokenClaims = {
      iss: accessTokenIssuer(),
      sub: identity.id,
      aud: req.audience,
      scope,
      org_id: provider.orgId,
      jti,
      iat: nowS,
      exp: nowS + ttl,
      ...(req.task ? { task: req.task } : {}),
      // RFC 8693 §4.1: the chain of who acts for whom, kept as the subject token stated it.
      ...(verified.act && typeof verified.act === 'object' ? { act: verified.act as Record<string, unknown> } : {}),
    }
    const signer = await cached(`signer ${provider.orgId}`, () => orgSigner({ org: provider.org, actor: EXCHANGE_ACTOR }))
    const accessToken = signAccessToken(signer, token)
    const expiresAt = new Date((nowS + ttl) * 1000)
    const replayed = await commitIssued(
      {
        orgId: provider.orgId,
        providerId: provider.id,
        ruleId: rule.id,
        identityId: identity.id,
        issuer: a.issuer,
        subject: a.subject,
        replayKey: a.replayKey,
        jti,
        scope,
        audience: req.audience,
        task: req.task ?? null,
        expiresAt,
        at: now,
      },
      provider.org,
      {
        action: 'federation.token-issued',
        targetType: 'identity',
        targetId: identity.id,
        targetLabel: identity.name,
        details: {
          provider: { id: provider.id, name: provider.name },
          rule: { id: rule.id, name: rule.name },
          subject: a.subject,
          jti,
          kid: signer.kid,
          scope,
          audience: req.audience,
          task: req.task ?? null,
          expiresAt: expiresAt.toISOString(),
          ...(opts.requestId ? { requestId: opts.requestId } : {}),
        },
      },
    )
    if (replayed) throw refusal('replayed', 'This subject token was already exchanged; get a fresh one from your platform.')
    return { access_token: accessToken, issued_token_type: ISSUED_TOKEN_TYPE, token_type: 'Bearer', expires_in: ttl, scope }
  } catch (err) {
    if (err instanceof OAuthError) await recordRefusal(a, err, opts.requestId)
    throw err
  }
}

/** The rules the exchange evaluates for a provider (and the "test a token" form shows): its active ones, oldest first. */
export function providerRules(orgId: string, providerId: string) {
  return db.trustRule.findMany({
    where: { orgId, providerId, status: 'active' },
    orderBy: [{ createdAt: 'asc' }, { id: 'asc' }],
    select: { id: true, name: true, condition: true, identityId: true, scopes: true, audiences: true, maxTtlSeconds: true },
  })
}

export type { RuleVerdict }
