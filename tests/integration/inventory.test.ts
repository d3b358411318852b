import { beforeAll, describe, expect, it } from 'vitest'
import { db } from '@/lib/db'
import { listAuditForTarget } from '@/lib/audit/queries'
import { recordAudit } from '@/lib/audit/record'
import { ForbiddenError, NotFoundError } from '@/lib/errors'
import { getIdentityOrThrow, identityFacets, listIdentities } from '@/lib/inventory/queries'
import { identityListSchema } from '@/lib/inventory/schemas'
import { addIdentity, createOrg, engine } from './fixtures'

const params = (p: Record<string, string> = {}) => identityListSchema.parse(p)

describe(`inventory (${engine})`, () => {
  let a: Awaited<ReturnType<typeof createOrg>>
  let b: Awaited<ReturnType<typeof createOrg>>
  beforeAll(async () => {
    a = await createOrg('Alpha')
    b = await createOrg('Beta')
    const mo = a.people.member.id
    await addIdentity(a.org.id, a.source.id, { name: 'svc-payments-ledger', kind: 'service_account', ownerId: mo, lastUsedDaysAgo: 2, riskScore: 20 })
    await addIdentity(a.org.id, a.source.id, {
      name: 'gha-deploy-infra',
      kind: 'ci_cd',
      privileged: true,
      lastUsedDaysAgo: 200,
      secretAgeDays: 500,
      riskScore: 85,
    })
    await addIdentity(a.org.id, a.source.id, {
      name: 'datadog-integration',
      kind: 'api_key',
      environment: 'staging',
      lastUsedDaysAgo: null,
      secretAgeDays: 100,
      riskScore: 55,
    })
    await addIdentity(a.org.id, a.source.id, { name: 'old-bot', kind: 'bot', status: 'deleted', riskScore: 5 })
    await addIdentity(b.org.id, b.source.id, { name: 'svc-payments-globex', kind: 'service_account' })
  })

  it('lists only the organization’s identities, hiding deleted ones by default', async () => {
    const r = await listIdentities(a.ctx('admin'), params({ sort: 'name', dir: 'asc' }))
    expect(r.total).toBe(3)
    expect(r.rows.map((x) => x.name)).toEqual(['datadog-integration', 'gha-deploy-infra', 'svc-payments-ledger'])
  })

  it('filters by kind, owner, privilege, dormancy, secret age, environment and text', async () => {
    const ctx = a.ctx('governance')
    const names = async (p: Record<string, string>) => (await listIdentities(ctx, params({ sort: 'name', dir: 'asc', ...p }))).rows.map((x) => x.name)
    expect(await names({ kind: 'ci_cd,api_key' })).toEqual(['datadog-integration', 'gha-deploy-infra'])
    expect(await names({ owner: 'unowned' })).toEqual(['datadog-integration', 'gha-deploy-infra'])
    expect(await names({ privileged: 'yes' })).toEqual(['gha-deploy-infra'])
    expect(await names({ dormant: 'yes' })).toEqual(['datadog-integration', 'gha-deploy-infra'])
    expect(await names({ credAge: '365' })).toEqual(['gha-deploy-infra'])
    expect(await names({ env: 'staging' })).toEqual(['datadog-integration'])
    expect(await names({ q: 'PAYMENTS' })).toEqual(['svc-payments-ledger'])
    expect(await names({ status: 'deleted' })).toEqual(['old-bot'])
    expect(await names({ risk: 'high' })).toEqual(['gha-deploy-infra'])
  })

  it('resolves "me" to the signed-in person', async () => {
    const r = await listIdentities(a.ctx('member'), params({ owner: 'me' }))
    expect(r.rows.map((x) => x.name)).toEqual(['svc-payments-ledger'])
  })

  it('sorts and pages on the server', async () => {
    const page1 = await listIdentities(a.ctx('admin'), params({ sort: 'riskScore', dir: 'desc', size: '25' }))
    expect(page1.rows.map((x) => x.riskScore)).toEqual([85, 55, 20])
    const byLastUsed = await listIdentities(a.ctx('admin'), params({ sort: 'lastUsedAt', dir: 'desc' }))
    expect(byLastUsed.rows.at(-1)?.name).toBe('datadog-integration')
    const beyond = await listIdentities(a.ctx('admin'), params({ page: '5' }))
    expect(beyond.rows).toEqual([])
    expect(beyond.total).toBe(3)
  })

  it('counts facets under the other filters', async () => {
    const f = await identityFacets(a.ctx('admin'), params({ kind: 'ci_cd', env: 'production' }))
    expect(f?.kind).toEqual({ ci_cd: 1, service_account: 1 })
    expect(f?.environment).toEqual({ production: 1 })
  })

  it('opens an identity of the same organization and answers 404 for another organization’s', async () => {
    const own = await db.identity.findFirstOrThrow({ where: { orgId: a.org.id, name: 'gha-deploy-infra' } })
    const detail = await getIdentityOrThrow(a.ctx('auditor'), own.id)
    expect(detail.identity.name).toBe('gha-deploy-infra')
    const foreign = await db.identity.findFirstOrThrow({ where: { orgId: b.org.id } })
    await expect(getIdentityOrThrow(a.ctx('admin'), foreign.id)).rejects.toBeInstanceOf(NotFoundError)
    await expect(getIdentityOrThrow(a.ctx('admin'), "x' OR '1'='1")).rejects.toBeInstanceOf(NotFoundError)
  })
  it('shows an identity’s audit history only to roles that may read the audit log', async () => {
    const own = await db.identity.findFirstOrThrow({ where: { orgId: a.org.id, name: 'svc-payments-ledger' } })
    await db.$transaction((tx) =>
      recordAudit(tx, a.ctx('admin'), {
        action: 'identity.assign-owner',
        targetType: 'identity',
        targetId: own.id,
        justification: 'handover from the payments team',
      }),
    )
    const asMember = await getIdentityOrThrow(a.ctx('member'), own.id)
    expect(asMember.identity.name).toBe('svc-payments-ledger')
    expect(asMember.audit).toBeNull()
    await expect(listAuditForTarget(a.ctx('member'), own.id)).rejects.toBeInstanceOf(ForbiddenError)
    for (const role of ['admin', 'governance', 'auditor'] as const) {
      const detail = await getIdentityOrThrow(a.ctx(role), own.id)
      expect(detail.audit?.map((e) => e.justification)).toContain('handover from the payments team')
    }
  })
})
