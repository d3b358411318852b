import { beforeAll, describe, expect, it } from 'vitest'
import { authenticate } from '@/lib/api/authenticate'
import { externalIdOf, tokenFingerprint } from '@/lib/api-tokens/inventory'
import { createApiToken, revokeApiToken, rotateApiToken } from '@/lib/api-tokens/mutations'
import { db } from '@/lib/db'
import { issueGatewayToken } from '@/lib/gateway/mutations'
import { requestRemediation } from '@/lib/remediation/mutations'
import { addIdentity, createOrg, engine, uid } from './fixtures'

// Custodian's own tokens are NHIs of its inventory: an API token is an identity (owner, credential, scope grants), a
// gateway token a credential of its identity; revocation, rotation and use are mirrored.

type Org = Awaited<ReturnType<typeof createOrg>>
let a: Org

beforeAll(async () => {
  a = await createOrg('Tokens as NHIs')
})

describe(`Custodian's tokens in the inventory (${engine})`, () => {
  it('an API token is an api_key identity owned by its creator, with its secret as a credential and its scopes as grants', async () => {
    const name = uid('ci-reader-')
    const t = await createApiToken(a.ctx('admin'), { name, scopes: ['identities:read', 'identities:write'], expiresInDays: 30, allowedIps: [] })
    const identity = await db.identity.findFirstOrThrow({ where: { orgId: a.org.id, externalId: externalIdOf(t.id) }, include: { source: true } })
    expect(identity).toMatchObject({ id: t.identityId, name, kind: 'api_key', status: 'active', ownerId: a.people.admin.id, privileged: true, grantCount: 2 })
    expect(identity.source).toMatchObject({ type: 'custodian_tokens', name: 'Custodian API tokens' })
    const cred = await db.credential.findFirstOrThrow({ where: { identityId: identity.id } })
    expect(cred).toMatchObject({ kind: 'token', status: 'active', fingerprint: tokenFingerprint(t.token) })
    expect(cred.fingerprint).not.toContain(t.token.slice(5, 20))
    expect(cred.expiresAt?.getTime()).toBe(t.expiresAt.getTime())
    const grants = await db.grant.findMany({ where: { identityId: identity.id }, include: { entitlement: true } })
    expect(grants.map((g) => [g.entitlement.name, g.privileged]).sort()).toEqual([
      ['identities:read', false],
      ['identities:write', true],
    ])

    // Use is mirrored (at most once a minute, like the token's own last use).
    await authenticate(`Bearer ${t.token}`, '203.0.113.9', 'req-inventory-1')
    expect((await db.credential.findUniqueOrThrow({ where: { id: cred.id } })).lastUsedAt).not.toBeNull()
    expect((await db.identity.findUniqueOrThrow({ where: { id: identity.id } })).lastUsedAt).not.toBeNull()

    // Rotation: a new fingerprint and a rotation time; revocation: the credential revoked, the identity deleted.
    const r = await rotateApiToken(a.ctx('admin'), { tokenId: t.id, overlapHours: 0 })
    const rotated = await db.credential.findUniqueOrThrow({ where: { id: cred.id } })
    expect(rotated.fingerprint).toBe(tokenFingerprint(r.token))
    expect(rotated.lastRotatedAt).not.toBeNull()
    await revokeApiToken(a.ctx('admin'), { tokenId: t.id })
    expect((await db.credential.findUniqueOrThrow({ where: { id: cred.id } })).status).toBe('revoked')
    expect(await db.identity.findUniqueOrThrow({ where: { id: identity.id } })).toMatchObject({ status: 'deleted', grantCount: 0 })
    expect(await db.grant.count({ where: { identityId: identity.id, status: 'active' } })).toBe(0)
  })

  it('a gateway token is a credential of its identity (no identity of its own)', async () => {
    const bot = await addIdentity(a.org.id, a.source.id, { name: uid('gw-bot-') })
    const before = await db.identity.count({ where: { orgId: a.org.id } })
    const t = await issueGatewayToken(a.ctx('admin'), { identityId: bot.id, name: uid('gw-'), expiresInDays: 7 })
    expect(await db.identity.count({ where: { orgId: a.org.id } })).toBe(before)
    const cred = await db.credential.findFirstOrThrow({ where: { identityId: bot.id, externalId: externalIdOf(t.id) } })
    expect(cred).toMatchObject({ kind: 'token', status: 'active' })
    expect((await db.identity.findUniqueOrThrow({ where: { id: bot.id } })).credentialCount).toBe(1)
  })

  it('a remediation on a token acts on the token itself: a scope grant drops the scope, revoking the credential or disabling the identity revokes it', async () => {
    const t = await createApiToken(a.ctx('admin'), {
      name: uid('remediate-'),
      scopes: ['identities:read', 'identities:write'],
      expiresInDays: 30,
      allowedIps: [],
    })
    const ok = () => authenticate(`Bearer ${t.token}`, '203.0.113.9', uid('req-'))
    const write = await db.grant.findFirstOrThrow({ where: { identityId: t.identityId!, entitlement: { externalId: 'identities:write' } } })
    const r = await requestRemediation(a.ctx('admin'), { kind: 'revoke_grant', identityId: t.identityId!, grantId: write.id, justification: 'least privilege' })
    expect(r.remediation).toMatchObject({ status: 'applied', detail: expect.stringMatching(/identities:write removed/) })
    expect(JSON.parse((await db.apiToken.findUniqueOrThrow({ where: { id: t.id } })).scopes)).toEqual(['identities:read'])
    expect((await db.grant.findUniqueOrThrow({ where: { id: write.id } })).status).toBe('revoked')
    expect([...(await ok()).scopes]).toEqual(['identities:read'])
    // A token's secret reaches its holder only from the token's own page: rotation here is refused with where to do it.
    const cred = await db.credential.findFirstOrThrow({ where: { identityId: t.identityId!, kind: 'token' } })
    await expect(
      requestRemediation(a.ctx('admin'), { kind: 'rotate_credential', identityId: t.identityId!, credentialId: cred.id, justification: 'rotate it please' }),
    ).rejects.toThrow(/Settings → API tokens/)
    await requestRemediation(a.ctx('admin'), { kind: 'disable_identity', identityId: t.identityId!, justification: 'leaked in a ticket' })
    expect((await db.apiToken.findUniqueOrThrow({ where: { id: t.id } })).revokedAt).not.toBeNull()
    await expect(ok()).rejects.toMatchObject({ status: 401 })
    expect(await db.identity.findUniqueOrThrow({ where: { id: t.identityId! } })).toMatchObject({ status: 'deleted' })
    const audit = await db.auditEvent.findMany({ where: { orgId: a.org.id, action: 'remediation.applied', targetId: t.identityId! } })
    expect(audit).toHaveLength(2)

    // A gateway token (a credential of a connector identity): revoking the credential revokes the token.
    const bot = await addIdentity(a.org.id, a.source.id, { name: uid('gw-rem-') })
    const g = await issueGatewayToken(a.ctx('admin'), { identityId: bot.id, name: uid('gw-'), expiresInDays: 7 })
    const gc = await db.credential.findFirstOrThrow({ where: { identityId: bot.id, externalId: externalIdOf(g.id) } })
    const rr = await requestRemediation(a.ctx('admin'), { kind: 'revoke_credential', identityId: bot.id, credentialId: gc.id, justification: 'unused' })
    expect(rr.remediation.status).toBe('applied')
    expect((await db.apiToken.findUniqueOrThrow({ where: { id: g.id } })).revokedAt).not.toBeNull()
    expect((await db.credential.findUniqueOrThrow({ where: { id: gc.id } })).status).toBe('revoked')
    expect((await db.identity.findUniqueOrThrow({ where: { id: bot.id } })).status).toBe('active')
  })
})
