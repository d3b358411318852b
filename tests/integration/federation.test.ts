import { createHmac, randomUUID } from 'node:crypto'
import { createLocalJWKSet, jwtVerify, SignJWT, type JWK } from 'jose'
import { Writable } from 'node:stream'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { setApiLogDestination } from '@/lib/api/log'
import { GET as jwksGET } from '@/app/api/v1/oauth/jwks/route'
import { POST as tokenPOST } from '@/app/api/v1/oauth/token/route'
import { POST as revokePOST } from '@/app/api/v1/oauth/revoke/route'
import { db } from '@/lib/db'
import { env } from '@/lib/env'
import { ForbiddenError, ForeignReferenceError, NotFoundError, ValidationError } from '@/lib/errors'
import { clearExchangeCache } from '@/lib/federation/exchange'
import { configureKeyCache } from '@/lib/federation/keys'
import { createProvider, createRule, deleteProvider, deleteRule, updateProvider, updateRule } from '@/lib/federation/mutations'
import { listProviders, testToken } from '@/lib/federation/queries'
import { GITHUB_ISSUER, githubCondition, kubernetesCondition, recommendedAudience } from '@/lib/federation/schemas'
import { listAuditEventsOp } from '@/lib/api/v1/audit'
import { listIdentitiesOp } from '@/lib/api/v1/identities'
import { KEY_CACHE_MAX, keyCacheSize, signAccessToken, type AccessTokenClaims } from '@/lib/federation/access-token'
import { EXCHANGE_ACTOR } from '@/lib/federation/commit'
import { orgSigner } from '@/lib/keys/org-keys'
import { settleFindings } from '@/lib/findings/recompute'
import { rollupIdentities } from '@/lib/inventory/rollup'
import { prismaSql } from '@/lib/sql/prisma'
import { apiCaller } from './api-client'
import { Issuer, newKey, type Key } from './oidc-issuer'
import { addAccess, addIdentity, createOrg, engine, uid } from './fixtures'

const now = () => Math.floor(Date.now() / 1000)

async function sign(key: Key, claims: Record<string, unknown>, header: Record<string, unknown> = {}) {
  return new SignJWT(claims).setProtectedHeader({ alg: key.alg, kid: key.kid, typ: 'JWT', ...header }).sign(key.privateKey)
}

const b64 = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url')

async function exchange(params: Record<string, string>) {
  const form = new URLSearchParams({
    grant_type: 'urn:ietf:params:oauth:grant-type:token-exchange',
    subject_token_type: 'urn:ietf:params:oauth:token-type:jwt',
    ...params,
  })
  const res = await tokenPOST(
    new Request('http://localhost/api/v1/oauth/token', { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: form }),
  )
  return { status: res.status, headers: res.headers, json: (await res.json()) as Record<string, string> }
}

/** The attempt row of a subject token (its jti), newest first. */
async function attempt(jti: string) {
  return db.tokenExchange.findFirst({ where: { replayKey: jti }, orderBy: { at: 'desc' } })
}

type Org = Awaited<ReturnType<typeof createOrg>>
let a: Org
let b: Org
const github = new Issuer()
const k8s = new Issuer()
let ghKey: Key
let k8sKey: Key
let ghAudience: string
let k8sAudience: string
let ghProviderId: string
let k8sProviderId: string
let deploy: { id: string; name: string }
let worker: { id: string }
let mainRuleId: string

/** A GitHub Actions token of acme/payments on main, signed by the current GitHub key. */
function ghClaims(extra: Record<string, unknown> = {}) {
  return {
    iss: GITHUB_ISSUER,
    aud: ghAudience,
    sub: 'repo:acme/payments:ref:refs/heads/main',
    jti: randomUUID(),
    repository: 'acme/payments',
    repository_id: '892341',
    repository_owner: 'acme',
    repository_owner_id: '1001',
    ref: 'refs/heads/main',
    workflow: 'deploy',
    iat: now(),
    nbf: now() - 5,
    exp: now() + 300,
    ...extra,
  }
}
function k8sClaims(ns: string, sa: string, extra: Record<string, unknown> = {}) {
  return {
    iss: k8s.url,
    aud: [k8sAudience],
    sub: `system:serviceaccount:${ns}:${sa}`,
    jti: randomUUID(),
    'kubernetes.io': { namespace: ns, serviceaccount: { name: sa, uid: randomUUID() }, pod: { name: `${sa}-7d9f`, uid: randomUUID() } },
    iat: now(),
    nbf: now(),
    exp: now() + 600,
    ...extra,
  }
}

const logLines: string[] = []
beforeAll(async () => {
  setApiLogDestination(
    new Writable({
      write(chunk, _enc, cb) {
        logLines.push(String(chunk))
        cb()
      },
    }),
  )
  configureKeyCache({ cooldownMs: 0 })
  await github.start()
  await k8s.start()
  ghKey = await newKey('RS256')
  k8sKey = await newKey('ES256')
  github.published = [ghKey]
  k8s.published = [k8sKey]
  a = await createOrg('Federation A')
  b = await createOrg('Federation B')
  ghAudience = recommendedAudience(env().appUrl, a.org.slug)
  k8sAudience = `${k8s.url}/aud/${a.org.slug}`
  deploy = await addIdentity(a.org.id, a.source.id, { name: uid('payments-deploy-'), kind: 'ci_cd' })
  worker = await addIdentity(a.org.id, a.source.id, { name: uid('k8s-worker-'), kind: 'workload' })
  // The GitHub preset: the real issuer name, keys served from loopback.
  const gh = await createProvider(a.ctx('admin'), {
    name: 'GitHub Actions',
    issuer: GITHUB_ISSUER,
    audiences: [ghAudience],
    jwksUri: `${github.url}/jwks`,
    preset: 'github',
    status: 'active',
  })
  ghProviderId = gh.id
  // Kubernetes: keys found through the issuer's discovery document.
  const kp = await createProvider(a.ctx('admin'), {
    name: 'Cluster',
    issuer: k8s.url,
    audiences: [k8sAudience],
    jwksUri: null,
    preset: 'kubernetes',
    status: 'active',
  })
  k8sProviderId = kp.id
  const rule = await createRule(a.ctx('admin'), {
    providerId: gh.id,
    name: 'payments main',
    identityId: deploy.id,
    condition: githubCondition({ repositoryId: '892341', repositoryOwnerId: '1001', ref: 'refs/heads/main' }),
    scopes: ['identities:read', 'findings:read', 'gateway:call'],
    audiences: ['custodian-api'],
    maxTtlSeconds: 600,
    status: 'active',
  })
  mainRuleId = rule.id
  await createRule(a.ctx('admin'), {
    providerId: kp.id,
    name: 'worker',
    identityId: worker.id,
    condition: kubernetesCondition({ namespace: 'payments', serviceAccount: 'worker' }),
    scopes: ['identities:read'],
    audiences: ['custodian-api'],
    maxTtlSeconds: 3600,
    status: 'active',
  })
  // Two rules that both take any service account of namespace "shared": ambiguous on purpose.
  for (const n of ['shared one', 'shared two'])
    await createRule(a.ctx('admin'), {
      providerId: kp.id,
      name: n,
      identityId: worker.id,
      condition: 'context.claims["kubernetes.io"].namespace == "shared"',
      scopes: ['identities:read'],
      audiences: ['custodian-api'],
      maxTtlSeconds: 900,
      status: 'active',
    })
})

afterAll(async () => {
  setApiLogDestination(undefined)
  await github.stop()
  await k8s.stop()
})

describe(`trust providers and rules (${engine})`, () => {
  it('are audited, scoped to the organization and validated', async () => {
    const list = await listProviders(a.ctx('auditor'))
    expect(list.map((p) => p.name)).toEqual(['GitHub Actions', 'Cluster'])
    expect(list[0].rules[0]).toMatchObject({ name: 'payments main', identity: { id: deploy.id }, maxTtlSeconds: 600 })
    expect(await listProviders(b.ctx('admin'))).toEqual([])
    const audit = await db.auditEvent.findMany({ where: { orgId: a.org.id, action: { startsWith: 'federation.' } }, orderBy: { seq: 'asc' } })
    expect(audit.map((e) => e.action).slice(0, 3)).toEqual(['federation.provider-create', 'federation.provider-create', 'federation.rule-create'])
    expect(audit[0]).toMatchObject({ actorType: 'user', actorId: a.people.admin.id, targetId: ghProviderId })

    // Members and auditors may not change trust; another organization's ids are not found; bad Cedar is refused at save.
    await expect(
      createProvider(a.ctx('member'), { name: 'x', issuer: 'https://x.example', audiences: ['x'], jwksUri: null, preset: 'generic', status: 'active' }),
    ).rejects.toBeInstanceOf(ForbiddenError)
    const ruleInput = {
      providerId: ghProviderId,
      name: uid('r'),
      identityId: deploy.id,
      condition: 'true',
      scopes: ['identities:read' as const],
      audiences: ['custodian-api'],
      maxTtlSeconds: 900,
      status: 'active' as const,
    }
    await expect(createRule(b.ctx('admin'), ruleInput)).rejects.toBeInstanceOf(NotFoundError)
    const bIdentity = await addIdentity(b.org.id, b.source.id)
    await expect(createRule(a.ctx('admin'), { ...ruleInput, identityId: bIdentity.id })).rejects.toBeInstanceOf(ForeignReferenceError)
    await expect(createRule(a.ctx('admin'), { ...ruleInput, condition: 'context.claims.ref ==' })).rejects.toBeInstanceOf(ValidationError)
    await expect(createRule(a.ctx('admin'), { ...ruleInput, condition: 'true }; permit(principal, action, resource) when { true' })).rejects.toMatchObject({
      fieldErrors: { condition: [expect.stringMatching(/one condition/)] },
    })
    await expect(createRule(a.ctx('admin'), { ...ruleInput, audiences: ['gateway:nosuchroute'] })).rejects.toBeInstanceOf(ForeignReferenceError)
    await expect(deleteRule(b.ctx('admin'), { ruleId: mainRuleId })).rejects.toBeInstanceOf(NotFoundError)
    await expect(updateRule(b.ctx('admin'), { ruleId: mainRuleId, name: 'stolen' })).rejects.toBeInstanceOf(NotFoundError)

    // The GitHub preset only with GitHub's issuer; an (issuer, audience) another organization trusts is taken.
    await expect(
      createProvider(b.ctx('admin'), { name: 'gh', issuer: 'https://evil.example', audiences: ['x'], jwksUri: null, preset: 'github', status: 'active' }),
    ).rejects.toBeInstanceOf(ValidationError)
    await expect(
      createProvider(b.ctx('admin'), { name: 'gh', issuer: GITHUB_ISSUER, audiences: [ghAudience], jwksUri: null, preset: 'github', status: 'active' }),
    ).rejects.toThrow(/taken/)
    expect(await db.trustProvider.count({ where: { orgId: b.org.id } })).toBe(0)
  })
})

describe(`changing and removing providers and rules (${engine})`, () => {
  it('is audited with what changed; audiences move with the provider; another organization gets NotFound', async () => {
    const aud = uid('https://custodian.example/')
    const p = await createProvider(a.ctx('governance'), {
      name: uid('gen-'),
      issuer: 'https://generic.example',
      audiences: [aud],
      jwksUri: null,
      preset: 'generic',
      status: 'active',
    })
    const r = await createRule(a.ctx('governance'), {
      providerId: p.id,
      name: 'r',
      identityId: deploy.id,
      condition: 'context.claims.sub == "x"',
      scopes: ['identities:read'],
      audiences: ['custodian-api'],
      maxTtlSeconds: 900,
      status: 'active',
    })
    const aud2 = uid('https://custodian.example/')
    await updateProvider(a.ctx('governance'), { providerId: p.id, audiences: [aud2], status: 'disabled' })
    expect((await db.trustProviderAudience.findMany({ where: { providerId: p.id } })).map((x) => x.audience)).toEqual([aud2])
    await updateRule(a.ctx('governance'), { ruleId: r.id, maxTtlSeconds: 300, scopes: ['identities:read', 'gateway:call'] })
    await expect(updateProvider(b.ctx('admin'), { providerId: p.id, name: 'stolen' })).rejects.toBeInstanceOf(NotFoundError)
    await expect(deleteProvider(b.ctx('admin'), { providerId: p.id })).rejects.toBeInstanceOf(NotFoundError)
    await expect(updateRule(a.ctx('auditor'), { ruleId: r.id, maxTtlSeconds: 600 })).rejects.toBeInstanceOf(ForbiddenError)
    await deleteRule(a.ctx('governance'), { ruleId: r.id })
    await deleteProvider(a.ctx('governance'), { providerId: p.id })
    expect(await db.trustProviderAudience.count({ where: { providerId: p.id } })).toBe(0)
    const rows = await db.auditEvent.findMany({ where: { orgId: a.org.id, targetId: { in: [p.id, r.id] } }, orderBy: { seq: 'asc' } })
    expect(rows.map((e) => e.action)).toEqual([
      'federation.provider-create',
      'federation.rule-create',
      'federation.provider-update',
      'federation.rule-update',
      'federation.rule-delete',
      'federation.provider-delete',
    ])
    expect(JSON.parse(rows[2].details).changes).toEqual({ audiences: { from: [aud], to: [aud2] }, status: { from: 'active', to: 'disabled' } })
    expect(JSON.parse(rows[3].details).changes).toEqual({
      scopes: { from: ['identities:read'], to: ['gateway:call', 'identities:read'] },
      maxTtlSeconds: { from: 900, to: 300 },
    })
    expect(rows.every((e) => e.actorId === a.people.governance.id)).toBe(true)
  })
})

describe(`a trust rule gives its identity a federated credential (${engine})`, () => {
  it('active with the rule, moved, disabled and revoked with it; the static secret beside it is NHI4 until revoked', async () => {
    const id = await addIdentity(a.org.id, a.source.id, { name: uid('moving-'), kind: 'ci_cd' })
    const other = await addIdentity(a.org.id, a.source.id, { name: uid('moved-to-'), kind: 'ci_cd' })
    const { credentialId: staticId } = await addAccess(a, id.id, { kind: 'token' })
    const nhi4 = (identityId: string) => db.finding.findFirst({ where: { orgId: a.org.id, identityId, rule: 'static-auth', status: { not: 'resolved' } } })
    const fed = (ruleId: string) => db.credential.findFirst({ where: { orgId: a.org.id, fingerprint: `federated:${ruleId}` } })

    const r = await createRule(a.ctx('admin'), {
      providerId: ghProviderId,
      name: uid('move '),
      identityId: id.id,
      condition: githubCondition({ repositoryId: '55501' }),
      scopes: ['identities:read'],
      audiences: ['custodian-api'],
      maxTtlSeconds: 900,
      status: 'active',
    })
    expect(await fed(r.id)).toMatchObject({ identityId: id.id, kind: 'federated', status: 'active', externalId: `trust-rule:${r.id}` })
    expect((await db.identity.findUniqueOrThrow({ where: { id: id.id } })).credentialCount).toBe(2)
    // Federation exists for it now: the static token is the finding.
    expect(await nhi4(id.id)).not.toBeNull()

    // An exchange through the rule marks the credential used.
    const used = await exchange({ subject_token: await sign(ghKey, ghClaims({ repository_id: '55501', jti: randomUUID() })) })
    expect(used.status).toBe(200)
    expect((await fed(r.id))!.lastUsedAt).not.toBeNull()

    await updateRule(a.ctx('admin'), { ruleId: r.id, status: 'disabled' })
    expect((await fed(r.id))!.status).toBe('inactive')
    await updateRule(a.ctx('admin'), { ruleId: r.id, status: 'active', identityId: other.id })
    expect(await fed(r.id)).toMatchObject({ identityId: other.id, status: 'active' })
    // Moved away: no federation on the first identity any more (its source is not a federation platform).
    expect(await nhi4(id.id)).toBeNull()
    await updateRule(a.ctx('admin'), { ruleId: r.id, identityId: id.id })
    expect(await nhi4(id.id)).not.toBeNull()

    // The workload moved to federation: revoking the static secret resolves NHI4.
    await db.$transaction(async (tx) => {
      await tx.credential.update({ where: { id: staticId }, data: { status: 'revoked' } })
      await rollupIdentities(prismaSql(tx), [id.id])
      await settleFindings(tx, a.org.id, [id.id])
    })
    expect(await nhi4(id.id)).toBeNull()
    // Only the federated credential is left: it has no secret, so no expiry or rotation finding, and no oldest secret.
    const open = await db.finding.findMany({ where: { identityId: id.id, status: { not: 'resolved' } }, select: { rule: true } })
    expect(open.map((f) => f.rule)).not.toContain('no-expiry')
    expect((await db.identity.findUniqueOrThrow({ where: { id: id.id } })).oldestSecretAt).toBeNull()

    await deleteRule(a.ctx('admin'), { ruleId: r.id })
    expect((await fed(r.id))!.status).toBe('revoked')
    expect((await db.identity.findUniqueOrThrow({ where: { id: id.id } })).credentialCount).toBe(0)
  })
})

describe(`token exchange (RFC 8693) with a real issuer on loopback (${engine})`, () => {
  it('issues a short-lived token for the one matching identity: verifies with our JWKS, scope narrowed, TTL capped, act kept', async () => {
    const claims = ghClaims({ act: { sub: 'agent-7', act: { sub: 'user:ada' } } })
    const r = await exchange({ subject_token: await sign(ghKey, claims), scope: 'identities:read', task: 'deploy payments 1.4.2', expires_in: '3600' })
    expect(r.status).toBe(200)
    expect(r.headers.get('cache-control')).toBe('no-store')
    expect(r.json).toMatchObject({
      issued_token_type: 'urn:ietf:params:oauth:token-type:access_token',
      token_type: 'Bearer',
      expires_in: 600,
      scope: 'identities:read',
    })

    const jwksRes = await jwksGET(new Request(`http://localhost/api/v1/oauth/jwks?org=${a.org.slug}`))
    const jwks = (await jwksRes.json()) as { keys: JWK[] }
    expect(jwks.keys).toHaveLength(1)
    const { payload, protectedHeader } = await jwtVerify(r.json.access_token, createLocalJWKSet(jwks as never), {
      issuer: env().appUrl.replace(/\/$/, ''),
      audience: 'custodian-api',
      algorithms: ['EdDSA'],
    })
    expect(protectedHeader).toMatchObject({ alg: 'EdDSA', kid: jwks.keys[0].kid, typ: 'at+jwt' })
    expect(payload).toMatchObject({
      sub: deploy.id,
      org_id: a.org.id,
      scope: 'identities:read',
      task: 'deploy payments 1.4.2',
      act: { sub: 'agent-7', act: { sub: 'user:ada' } },
    })
    expect(payload.exp! - payload.iat!).toBe(600)
    // Another organization's key set does not verify it.
    const bJwks = (await (await jwksGET(new Request(`http://localhost/api/v1/oauth/jwks?org=${b.org.slug}`))).json()) as { keys: JWK[] }
    expect(bJwks.keys.some((k) => k.kid === protectedHeader.kid)).toBe(false)

    const row = await attempt(claims.jti)
    expect(row).toMatchObject({
      outcome: 'issued',
      orgId: a.org.id,
      providerId: ghProviderId,
      ruleId: mainRuleId,
      identityId: deploy.id,
      jti: payload.jti,
      scope: 'identities:read',
      audience: 'custodian-api',
      task: 'deploy payments 1.4.2',
    })
    const audit = await db.auditEvent.findFirst({
      where: { orgId: a.org.id, action: 'federation.token-issued', targetId: deploy.id },
      orderBy: { seq: 'desc' },
    })
    expect(audit).toMatchObject({ actorType: 'system', actorId: null, outcome: 'success', targetLabel: deploy.name })
    expect(JSON.parse(audit!.details)).toMatchObject({ provider: { id: ghProviderId }, rule: { id: mainRuleId }, subject: claims.sub, jti: payload.jti })
    expect(audit!.details).not.toContain(r.json.access_token)

    // Without scope: every scope of the rule; default lifetime 15 minutes capped by the rule's 10.
    const all = await exchange({ subject_token: await sign(ghKey, ghClaims()) })
    expect(all.json).toMatchObject({ scope: 'findings:read gateway:call identities:read', expires_in: 600 })
    // Kubernetes through discovery; the default 15 minutes under the rule's hour.
    const kube = await exchange({
      subject_token: await sign(k8sKey, k8sClaims('payments', 'worker')),
      subject_token_type: 'urn:ietf:params:oauth:token-type:id_token',
    })
    expect(kube.status).toBe(200)
    expect(kube.json.expires_in).toBe(900)
  })

  it('refuses a replayed subject token (same jti), but not a retry of a refused attempt', async () => {
    const claims = ghClaims()
    const token = await sign(ghKey, claims)
    const wide = await exchange({ subject_token: token, scope: 'identities:write' })
    expect(wide).toMatchObject({ status: 400, json: { error: 'invalid_scope' } })
    expect((await attempt(claims.jti))?.reason).toBe('scope-not-allowed')
    expect((await exchange({ subject_token: token })).status).toBe(200)
    const again = await exchange({ subject_token: token })
    expect(again).toMatchObject({ status: 400, json: { error: 'invalid_request' } })
    expect(again.json.error_description).toMatch(/already exchanged/)
    expect((await attempt(claims.jti))?.reason).toBe('replayed')
    // The same token sent five times at once (written by one group commit): exactly one is issued.
    const burst = await sign(ghKey, ghClaims())
    const answers = await Promise.all(Array.from({ length: 5 }, () => exchange({ subject_token: burst })))
    expect(answers.map((x) => x.status).sort()).toEqual([200, 400, 400, 400, 400])
    // A token without jti is known by its hash.
    const { jti: _, ...noJti } = ghClaims()
    const hashed = await sign(ghKey, noJti)
    expect((await exchange({ subject_token: hashed })).status).toBe(200)
    expect((await exchange({ subject_token: hashed })).json.error_description).toMatch(/already exchanged/)
  })

  it('refuses each unacceptable subject token with invalid_request and a precise reason', async () => {
    const other = await newKey('RS256')
    const cases: [string, () => Promise<string>, string][] = [
      ['wrong audience', () => sign(ghKey, ghClaims({ aud: 'https://github.com/acme' })), 'wrong-audience'],
      ['expired', () => sign(ghKey, ghClaims({ iat: now() - 900, nbf: now() - 900, exp: now() - 120 })), 'expired'],
      ['not yet valid', () => sign(ghKey, ghClaims({ nbf: now() + 600, exp: now() + 900 })), 'not-yet-valid'],
      ['issued in the future', () => sign(ghKey, ghClaims({ iat: now() + 600, nbf: undefined, exp: now() + 900 })), 'issued-in-future'],
      ['no exp', () => sign(ghKey, ghClaims({ exp: undefined })), 'missing-exp'],
      ['alg none', async () => `${b64({ alg: 'none', typ: 'JWT' })}.${b64(ghClaims())}.`, 'alg-not-allowed'],
      [
        'HS256 with the public key as secret',
        async () => {
          const input = `${b64({ alg: 'HS256', kid: ghKey.kid, typ: 'JWT' })}.${b64(ghClaims())}`
          return `${input}.${createHmac('sha256', JSON.stringify(ghKey.jwk)).update(input).digest('base64url')}`
        },
        'alg-not-allowed',
      ],
      ['unknown kid', () => sign(other, ghClaims()), 'unknown-kid'],
      ['signed by another key under a published kid', () => sign({ ...other, kid: ghKey.kid }, ghClaims()), 'bad-signature'],
      ['untrusted issuer', () => sign(ghKey, ghClaims({ iss: 'https://token.actions.githubusercontent.com.evil.example' })), 'untrusted-issuer'],
      ['re-registered repository: same name, another repository_id', () => sign(ghKey, ghClaims({ repository_id: '999999' })), 'no-rule'],
      ['another branch', () => sign(ghKey, ghClaims({ ref: 'refs/heads/feature' })), 'no-rule'],
      ['ambiguous rules', () => sign(k8sKey, k8sClaims('shared', 'anyone')), 'ambiguous-rules'],
    ]
    for (const [name, make, reason] of cases) {
      const token = await make()
      const r = await exchange({ subject_token: token })
      expect(r.status, name).toBe(400)
      expect(r.json.error, name).toBe('invalid_request')
      expect(r.headers.get('cache-control'), name).toBe('no-store')
      const jti = JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString()).jti as string
      expect((await attempt(jti))?.reason, name).toBe(reason)
      expect((await attempt(jti))?.outcome, name).toBe('refused')
    }
    // The refusal names nothing of the organization's rules.
    const none = await exchange({ subject_token: await sign(ghKey, ghClaims({ repository_id: '999999' })) })
    expect(none.json.error_description).toBe('No trust rule matches this token.')
    // Refusals in a known organization are audited there with the reason; an unknown issuer's only logged.
    const refused = await db.auditEvent.findMany({ where: { orgId: a.org.id, action: 'federation.exchange-refused' } })
    const reasons = new Set(refused.map((e) => JSON.parse(e.details).reason as string))
    for (const r of [
      'expired',
      'not-yet-valid',
      'alg-not-allowed',
      'unknown-kid',
      'bad-signature',
      'no-rule',
      'ambiguous-rules',
      'scope-not-allowed',
      'replayed',
    ])
      expect(reasons, r).toContain(r)
    expect(refused.every((e) => e.outcome === 'denied' && e.actorType === 'system')).toBe(true)
    expect(reasons).not.toContain('untrusted-issuer')
    expect(await db.tokenExchange.count({ where: { orgId: null, reason: 'untrusted-issuer' } })).toBeGreaterThan(0)
  })

  it('refuses what the rule does not allow: a wider scope (invalid_scope), another audience (invalid_target)', async () => {
    const wide = await exchange({ subject_token: await sign(ghKey, ghClaims()), scope: 'identities:read audit:read' })
    expect(wide.json).toMatchObject({ error: 'invalid_scope' })
    expect(wide.json.error_description).toMatch(/audit:read/)
    const target = await exchange({ subject_token: await sign(ghKey, ghClaims()), audience: 'gateway:someroute' })
    expect(target).toMatchObject({ status: 400, json: { error: 'invalid_target' } })
    const grant = await exchange({ subject_token: 'x', grant_type: 'client_credentials' })
    expect(grant.json.error).toBe('unsupported_grant_type')
    const type = await exchange({ subject_token: await sign(ghKey, ghClaims()), subject_token_type: 'urn:ietf:params:oauth:token-type:saml2' })
    expect(type.json.error).toBe('invalid_request')
    const long = await exchange({ subject_token: await sign(ghKey, ghClaims()), task: 'x'.repeat(201) })
    expect(long.json.error).toBe('invalid_request')
    const json = await tokenPOST(
      new Request('http://localhost/api/v1/oauth/token', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' }),
    )
    expect(json.status).toBe(400)
  })

  it('refuses a token of an identity that is no longer active', async () => {
    const tmp = await addIdentity(a.org.id, a.source.id, { name: uid('tmp-') })
    await createRule(a.ctx('admin'), {
      providerId: ghProviderId,
      name: 'tmp repo',
      identityId: tmp.id,
      condition: githubCondition({ repositoryId: '555' }),
      scopes: ['identities:read'],
      audiences: ['custodian-api'],
      maxTtlSeconds: 900,
      status: 'active',
    })
    clearExchangeCache()
    expect((await exchange({ subject_token: await sign(ghKey, ghClaims({ repository_id: '555' })) })).status).toBe(200)
    await db.identity.update({ where: { id: tmp.id }, data: { status: 'disabled' } })
    // Read again after at most a second (READ_CACHE_MS); the test does not wait for it.
    clearExchangeCache()
    const claims = ghClaims({ repository_id: '555' })
    expect((await exchange({ subject_token: await sign(ghKey, claims) })).status).toBe(400)
    expect((await attempt(claims.jti))?.reason).toBe('identity-inactive')
  })

  it('picks up a rotated issuer key by its new kid', async () => {
    const next = await newKey('RS256')
    const before = github.fetches
    github.published = [next]
    const r = await exchange({ subject_token: await sign(next, ghClaims()) })
    expect(r.status).toBe(200)
    expect(github.fetches).toBeGreaterThan(before)
    // The old key is gone from the JWKS: its tokens no longer verify.
    const old = await exchange({ subject_token: await sign(ghKey, ghClaims()) })
    expect(old.status).toBe(400)
    github.published = [ghKey, next]
  })

  it('"test a token" gives the exchange’s matching, without issuing anything', async () => {
    const tokens = [
      await sign(ghKey, ghClaims()),
      await sign(ghKey, ghClaims({ repository_id: '999999' })),
      await sign(k8sKey, k8sClaims('shared', 'x')),
      await sign(k8sKey, k8sClaims('payments', 'worker')),
    ]
    for (const token of tokens) {
      const before = await db.tokenExchange.count()
      const t = await testToken(a.ctx('auditor'), { token })
      expect(await db.tokenExchange.count()).toBe(before)
      expect(t.verification?.ok).toBe(true)
      const r = await exchange({ subject_token: token })
      const row = await attempt(JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString()).jti as string)
      if (t.outcome.kind === 'one-match') {
        expect(r.status).toBe(200)
        expect(row?.ruleId).toBe(t.outcome.ruleId)
      } else expect(row?.reason).toBe(t.outcome.kind === 'no-match' ? 'no-rule' : 'ambiguous-rules')
    }
    const shared = await testToken(a.ctx('admin'), { claims: k8sClaims('shared', 'x') })
    expect(shared.outcome.kind).toBe('ambiguous')
    expect(shared.provider.id).toBe(k8sProviderId)
    expect(shared.rules.map((r) => r.result)).toEqual(['not-matched', 'matched', 'matched'])
    const missing = await testToken(a.ctx('admin'), { providerId: ghProviderId, claims: { iss: GITHUB_ISSUER, repository_id: '892341' } })
    expect(missing.rules.find((r) => r.id === mainRuleId)).toMatchObject({ result: 'error' })
    expect(missing.verification).toBeNull()
    await expect(testToken(b.ctx('admin'), { providerId: ghProviderId, claims: {} })).rejects.toBeInstanceOf(NotFoundError)
  })
})

describe(`tasks: an agent ends its task early (RFC 7009 revocation) (${engine})`, () => {
  const call = apiCaller(() => '')
  const revoke = (token: string, extra: Record<string, string> = {}) =>
    revokePOST(
      new Request('http://localhost/api/v1/oauth/revoke', {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ token, ...extra }),
      }),
    )

  it('the token works until the agent ends its task, then stops at once; ending twice or a bad token tells nothing', async () => {
    const ex = await exchange({
      subject_token: await sign(k8sKey, k8sClaims('payments', 'worker')),
      scope: 'identities:read',
      task: 'reconcile ledger 2026-12',
    })
    expect(ex.status).toBe(200)
    const token = ex.json.access_token
    expect((await call(listIdentitiesOp, { token, query: { limit: '1' } })).status).toBe(200)

    const res = await revoke(token)
    expect(res.status).toBe(200)
    const off = await call(listIdentitiesOp, { token, query: { limit: '1' } })
    expect(off.status).toBe(401)
    expect(off.json?.detail).toMatch(/task of this access token has ended/)
    const jti = JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString()).jti as string
    expect((await db.tokenExchange.findFirstOrThrow({ where: { jti } })).endedAt).not.toBeNull()

    // Again, a forged token, a token of nothing: 200 each (RFC 7009 §2.2), and one audit row in all.
    expect((await revoke(token)).status).toBe(200)
    expect((await revoke('not-a-token')).status).toBe(200)
    expect((await revoke(`${token.slice(0, -4)}AAAA`)).status).toBe(200)
    const audits = await db.auditEvent.findMany({ where: { orgId: a.org.id, action: 'federation.task-ended', targetId: worker.id } })
    expect(audits).toHaveLength(1)
    expect(audits[0]).toMatchObject({ actorType: 'workload', actorId: worker.id })
    expect(JSON.parse(audits[0].details)).toMatchObject({ jti, task: 'reconcile ledger 2026-12' })
    expect(audits[0].details).not.toContain(token)
    // Only access tokens are revoked here.
    const hinted = await revoke(token, { token_type_hint: 'refresh_token' })
    expect(hinted.status).toBe(400)
    expect(((await hinted.json()) as { error: string }).error).toBe('unsupported_token_type')
  })

  it('made-up organizations in unauthenticated revocations do not grow the key cache without bound', async () => {
    const b64 = (o: object) => Buffer.from(JSON.stringify(o)).toString('base64url')
    const forged = (orgId: string) =>
      `${b64({ alg: 'EdDSA', kid: 'k1', typ: 'JWT' })}.${b64({ org_id: orgId, aud: 'custodian-api', jti: orgId, exp: 4102444800 })}.${'A'.repeat(86)}`
    for (let i = 0; i < KEY_CACHE_MAX + 200; i++) expect((await revoke(forged(`made-up-${i}`))).status).toBe(200)
    expect(keyCacheSize()).toBe(KEY_CACHE_MAX) // every made-up org was looked up (and remembered), none beyond the bound
    expect((await revoke(forged('x'.repeat(5000)))).status).toBe(200)
  })
})

describe(`the API accepts exchanged access tokens (${engine})`, () => {
  const call = apiCaller(() => '')

  it('acts as the identity with the token’s scopes; refuses other audiences, forgeries and inactive identities', async () => {
    const ex = await exchange({ subject_token: await sign(k8sKey, k8sClaims('payments', 'worker')), scope: 'identities:read' })
    expect(ex.status).toBe(200)
    const token = ex.json.access_token
    const list = await call(listIdentitiesOp, { token, query: { limit: '5' } })
    expect(list.status).toBe(200)
    // Scope: this token may read identities, not audit events (403, audited with the identity as actor).
    const audit = await call(listAuditEventsOp, { token, query: { limit: '5' } })
    expect(audit.status).toBe(403)
    const denied = await db.auditEvent.findFirst({ where: { orgId: a.org.id, actorType: 'workload', actorId: worker.id, outcome: 'denied' } })
    expect(denied?.action).toBe('api.listAuditEvents')

    // A tampered payload, another audience, an expired token, a key of another organization: 401.
    const [h, p, sig] = token.split('.')
    const payload = JSON.parse(Buffer.from(p, 'base64url').toString()) as Record<string, unknown>
    const tampered = `${h}.${Buffer.from(JSON.stringify({ ...payload, scope: 'identities:read audit:read' })).toString('base64url')}.${sig}`
    expect((await call(listIdentitiesOp, { token: tampered, query: { limit: '5' } })).status).toBe(401)
    const signer = await orgSigner({ org: a.org, actor: EXCHANGE_ACTOR })
    const mint = (extra: Record<string, unknown>, s = signer) =>
      signAccessToken(s, { ...(payload as unknown as AccessTokenClaims), jti: randomUUID(), ...extra })
    expect((await call(listIdentitiesOp, { token: mint({ aud: 'gateway:someroute' }), query: { limit: '5' } })).status).toBe(401)
    const expired = await call(listIdentitiesOp, { token: mint({ iat: now() - 4000, exp: now() - 400 }), query: { limit: '5' } })
    expect(expired.status).toBe(401)
    expect(expired.json?.detail).toMatch(/expired/)
    const bSigner = await orgSigner({ org: b.org, actor: EXCHANGE_ACTOR })
    expect((await call(listIdentitiesOp, { token: mint({}, bSigner), query: { limit: '5' } })).status).toBe(401)
    const none = `${b64({ alg: 'none', typ: 'at+jwt', kid: signer.kid })}.${p}.`
    expect((await call(listIdentitiesOp, { token: none, query: { limit: '5' } })).status).toBe(401)

    // Disabling the identity stops its tokens at once.
    await db.identity.update({ where: { id: worker.id }, data: { status: 'disabled' } })
    const off = await call(listIdentitiesOp, { token, query: { limit: '5' } })
    expect(off.status).toBe(401)
    expect(off.json?.detail).toMatch(/not active/)
    await db.identity.update({ where: { id: worker.id }, data: { status: 'active' } })
    expect((await call(listIdentitiesOp, { token, query: { limit: '5' } })).status).toBe(200)
  })
})
