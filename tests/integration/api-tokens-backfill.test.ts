import { describe, expect, it } from 'vitest'
import { backfillTokenInventory, queueTokenInventoryBackfill, unmirroredTokens } from '@/lib/api-tokens/backfill'
import { newToken } from '@/lib/api-tokens/format'
import { externalIdOf } from '@/lib/api-tokens/inventory'
import { systemContext } from '@/lib/auth/org-context'
import { db } from '@/lib/db'
import { drainJobs } from '@/lib/jobs/worker'
import { addIdentity, createOrg, engine, uid } from './fixtures'

/** A token as Custodian stored it before tokens became NHIs: the row only, nothing in the inventory. */
async function legacyToken(orgId: string, createdById: string, o: { identityId?: string; revoked?: boolean } = {}) {
  const t = newToken()
  return db.apiToken.create({
    data: {
      orgId,
      name: uid('legacy-'),
      prefix: t.prefix,
      hash: t.hash,
      scopes: JSON.stringify(['identities:read', 'credentials:write']),
      expiresAt: new Date(Date.now() + 30 * 86_400_000),
      createdById,
      identityId: o.identityId ?? null,
      revokedAt: o.revoked ? new Date() : null,
    },
  })
}

describe(`backfill of tokens made before tokens were NHIs (${engine})`, () => {
  it('mirrors each live legacy token once, audited as the system, and does nothing the second time', async () => {
    const a = await createOrg('Backfill A')
    const agent = await addIdentity(a.org.id, a.source.id, { name: uid('agent-') })
    const plain = await legacyToken(a.org.id, a.people.admin.id)
    const bound = await legacyToken(a.org.id, a.people.member.id, { identityId: agent.id })
    const revoked = await legacyToken(a.org.id, a.people.admin.id, { revoked: true })
    expect((await unmirroredTokens(a.org.id)).map((t) => t.id).sort()).toEqual([plain.id, bound.id].sort())

    const ctx = systemContext(a.org, { type: 'token_inventory_backfill', id: null }, ['api-token:manage'])
    expect(await backfillTokenInventory(ctx)).toEqual({ mirrored: 2 })
    // The unbound token is an api_key identity owned by its creator, its scopes grants, its secret a credential.
    const own = await db.identity.findFirstOrThrow({
      where: { orgId: a.org.id, externalId: externalIdOf(plain.id) },
      include: { grants: true, credentials: true },
    })
    expect(own).toMatchObject({ kind: 'api_key', ownerId: a.people.admin.id, name: plain.name })
    expect(own.grants).toHaveLength(2)
    expect(own.credentials).toEqual([expect.objectContaining({ kind: 'token', status: 'active', fingerprint: externalIdOf(plain.id) })])
    // The bound token is a credential of its identity.
    expect(await db.credential.count({ where: { orgId: a.org.id, identityId: agent.id, externalId: externalIdOf(bound.id) } })).toBe(1)
    expect(await db.identity.count({ where: { orgId: a.org.id, externalId: externalIdOf(bound.id) } })).toBe(0)
    expect(await db.credential.count({ where: { orgId: a.org.id, externalId: externalIdOf(revoked.id) } })).toBe(0)
    const audits = await db.auditEvent.findMany({ where: { orgId: a.org.id, action: 'api-token.backfill' } })
    expect(audits.map((e) => [e.targetId, e.actorType]).sort()).toEqual(
      [
        [plain.id, 'system'],
        [bound.id, 'system'],
      ].sort(),
    )

    // Again: nothing left to do, nothing duplicated.
    expect(await backfillTokenInventory(ctx)).toEqual({ mirrored: 0 })
    expect(await unmirroredTokens(a.org.id)).toEqual([])
    expect(await db.credential.count({ where: { orgId: a.org.id, externalId: { in: [plain.id, bound.id].map(externalIdOf) } } })).toBe(2)
    expect(await db.auditEvent.count({ where: { orgId: a.org.id, action: 'api-token.backfill' } })).toBe(2)
  })

  it('the scheduler queues one job per organization however often it runs, and the worker mirrors the tokens', async () => {
    const b = await createOrg('Backfill B')
    const t = await legacyToken(b.org.id, b.people.admin.id)
    await queueTokenInventoryBackfill()
    await queueTokenInventoryBackfill()
    const jobs = await db.job.findMany({ where: { orgId: b.org.id, type: 'token_inventory_backfill' } })
    expect(jobs).toHaveLength(1)
    await drainJobs()
    expect(await db.job.findUniqueOrThrow({ where: { id: jobs[0].id } })).toMatchObject({ status: 'succeeded' })
    expect(await db.identity.count({ where: { orgId: b.org.id, externalId: externalIdOf(t.id) } })).toBe(1)
    await queueTokenInventoryBackfill()
    expect(await db.job.count({ where: { orgId: b.org.id, type: 'token_inventory_backfill' } })).toBe(1)
  })
})
