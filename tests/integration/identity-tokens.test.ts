import { Writable } from 'node:stream'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { setApiLogDestination } from '@/lib/api/log'
import { listCredentialsOp } from '@/lib/api/v1/credentials'
import { getIdentityOp, listIdentitiesOp } from '@/lib/api/v1/identities'
import { createIdentityToken, listIdentityTokens, revokeIdentityToken, rotateIdentityToken } from '@/lib/api-tokens/identity-tokens'
import { externalIdOf } from '@/lib/api-tokens/inventory'
import { db } from '@/lib/db'
import { apiCaller, validate } from './api-client'
import { addAccess, addIdentity, createOrg, engine, uid } from './fixtures'

type Org = Awaited<ReturnType<typeof createOrg>>
let a: Org
let b: Org
let mine: { id: string }
let other: { id: string }
let foreign: { id: string }
const call = apiCaller(() => '')

setApiLogDestination(new Writable({ write: (_c, _e, cb) => cb() }))
afterAll(() => setApiLogDestination(undefined))

beforeAll(async () => {
  a = await createOrg('Owner tokens A')
  b = await createOrg('Owner tokens B')
  mine = await addIdentity(a.org.id, a.source.id, { name: uid('mine-'), ownerId: a.people.member.id })
  other = await addIdentity(a.org.id, a.source.id, { name: uid('other-') })
  foreign = await addIdentity(b.org.id, b.source.id, { name: uid('foreign-'), ownerId: b.people.member.id })
  await addAccess(a, mine.id)
  await addAccess(a, other.id)
})

const input = (identityId: string) => ({
  identityId,
  name: uid('owner-'),
  scopes: ['credentials:read', 'identities:read'] as const,
  expiresInDays: 30,
  allowedIps: [],
})

describe(`tokens limited to one identity (${engine})`, () => {
  it('its owner or an admin makes one, audited, a credential of the identity; others are refused, another organization’s is not found', async () => {
    const t = await createIdentityToken(a.ctx('member'), { ...input(mine.id), scopes: ['credentials:read', 'identities:read'] })
    expect(t.token).toMatch(/^cust_/)
    const row = await db.apiToken.findUniqueOrThrow({ where: { id: t.id } })
    expect(row).toMatchObject({ identityId: mine.id, createdById: a.people.member.id })
    expect(row.hash).not.toContain(t.token.slice(10))
    expect(await db.credential.count({ where: { orgId: a.org.id, identityId: mine.id, externalId: externalIdOf(t.id) } })).toBe(1)
    const audit = await db.auditEvent.findFirstOrThrow({ where: { orgId: a.org.id, action: 'api-token.create', targetId: t.id } })
    expect(audit).toMatchObject({ actorType: 'user', actorId: a.people.member.id })
    expect(JSON.parse(audit.details)).toMatchObject({ identityId: mine.id, limitedToIdentity: true })
    expect(audit.details).not.toContain(t.token)

    await expect(createIdentityToken(a.ctx('governance'), { ...input(mine.id), scopes: ['identities:read'] })).rejects.toMatchObject({ status: 403 })
    await expect(createIdentityToken(a.ctx('member'), { ...input(other.id), scopes: ['identities:read'] })).rejects.toMatchObject({ status: 403 })
    await expect(createIdentityToken(a.ctx('admin'), { ...input(foreign.id), scopes: ['identities:read'] })).rejects.toMatchObject({ status: 404 })
    await expect(listIdentityTokens(a.ctx('auditor'), mine.id)).rejects.toMatchObject({ status: 403 })
    const admin = await createIdentityToken(a.ctx('admin'), { ...input(other.id), scopes: ['identities:read'] })
    expect((await listIdentityTokens(a.ctx('admin'), other.id)).map((x) => x.id)).toEqual([admin.id])
    expect((await listIdentityTokens(a.ctx('member'), mine.id)).map((x) => [x.id, x.status])).toEqual([[t.id, 'active']])
  })

  it('through the API it reaches its identity only: the identity and its credentials, nothing else', async () => {
    const t = await createIdentityToken(a.ctx('member'), { ...input(mine.id), scopes: ['credentials:read', 'identities:read'] })
    const got = await call(getIdentityOp, { token: t.token, params: { id: mine.id } })
    expect(got.status).toBe(200)
    validate(getIdentityOp, 200, got.res.headers.get('content-type'), got.json)
    expect(got.json).toMatchObject({ id: mine.id })
    // Another identity of its organization, and one of another organization: not found.
    for (const id of [other.id, foreign.id]) {
      const r = await call(getIdentityOp, { token: t.token, params: { id } })
      expect(r.status).toBe(404)
      validate(getIdentityOp, 404, r.res.headers.get('content-type'), r.json)
    }
    // Credentials: its own only, even unfiltered.
    const creds = await call(listCredentialsOp, { token: t.token })
    expect(creds.status).toBe(200)
    const items = (creds.json!.items ?? creds.json!.data) as { identity: { id: string } }[]
    expect(items.length).toBeGreaterThan(0)
    expect(new Set(items.map((c) => c.identity.id))).toEqual(new Set([mine.id]))
    expect((await call(listCredentialsOp, { token: t.token, query: { identityId: other.id } })).status).toBe(404)
    // Anything beyond it is refused, whatever its scopes.
    const list = await call(listIdentitiesOp, { token: t.token })
    expect(list.status).toBe(403)
    validate(listIdentitiesOp, 403, list.res.headers.get('content-type'), list.json)
    const denied = await db.auditEvent.findMany({ where: { orgId: a.org.id, actorId: t.id, outcome: 'denied' }, select: { action: true } })
    expect(denied.map((d) => d.action).sort()).toEqual(['api.getIdentity', 'api.getIdentity', 'api.listCredentials', 'api.listIdentities'])
  })

  it('is rotated and revoked from its identity, audited; another identity’s token is not found there', async () => {
    const t = await createIdentityToken(a.ctx('member'), { ...input(mine.id), scopes: ['identities:read'] })
    const r = await rotateIdentityToken(a.ctx('member'), { identityId: mine.id, tokenId: t.id, overlapHours: 0 })
    expect((await call(getIdentityOp, { token: t.token, params: { id: mine.id } })).status).toBe(401)
    expect((await call(getIdentityOp, { token: r.token, params: { id: mine.id } })).status).toBe(200)
    await expect(revokeIdentityToken(a.ctx('member'), { identityId: other.id, tokenId: t.id })).rejects.toMatchObject({ status: 403 })
    await expect(revokeIdentityToken(a.ctx('admin'), { identityId: other.id, tokenId: t.id })).rejects.toMatchObject({ status: 404 })
    await revokeIdentityToken(a.ctx('member'), { identityId: mine.id, tokenId: t.id })
    expect((await call(getIdentityOp, { token: r.token, params: { id: mine.id } })).status).toBe(401)
    const actions = await db.auditEvent.findMany({
      where: { orgId: a.org.id, targetId: t.id, action: { startsWith: 'api-token.' } },
      orderBy: { seq: 'asc' },
      select: { action: true },
    })
    expect(actions.map((x) => x.action)).toEqual(['api-token.create', 'api-token.rotate', 'api-token.revoke'])
    expect((await db.credential.findFirstOrThrow({ where: { externalId: externalIdOf(t.id) } })).status).toBe('revoked')
  })
})
