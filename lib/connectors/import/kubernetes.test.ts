import fs from 'node:fs'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { environmentOf, isPrivilegedRole, mapKubernetesList, ownerEmailOf } from './kubernetes'

const fixture = JSON.parse(fs.readFileSync(path.resolve('tests/fixtures/imports/kubernetes.json'), 'utf8'))

describe('Kubernetes mapper', () => {
  it('maps service accounts, token secrets (uid only), roles and bindings from kubectl output', () => {
    const { records, errors } = mapKubernetesList(fixture)
    const identities = records.flatMap((r) => (r.identity ? [r.identity] : []))
    expect(identities.map((i) => i.name)).toContain('payments-prod/payments-api')
    expect(identities.find((i) => i.name === 'payments-prod/payments-api')).toMatchObject({
      kind: 'workload',
      environment: 'production',
      ownerEmail: 'ada@acme.example',
      tags: { app: 'payments-api' },
    })
    const creds = records.flatMap((r) => r.credentials ?? [])
    expect(creds.map((c) => c.fingerprint)).toEqual([
      'k8s-secret-uid:9f0e8d7c-1111-4a2b-8c3d-000000000001',
      'k8s-secret-uid:9f0e8d7c-1111-4a2b-8c3d-000000000002',
    ])
    expect(JSON.stringify(records)).not.toContain('ZXlKaGJHY2')
    const grants = records.flatMap((r) => r.grants ?? [])
    expect(grants).toContainEqual(
      expect.objectContaining({ identityExternalId: 'ci/ci-deployer', resourceExternalId: 'cluster', entitlementExternalId: 'ClusterRole/cluster-admin' }),
    )
    expect(grants).toContainEqual(
      expect.objectContaining({
        identityExternalId: 'payments-prod/payments-api',
        resourceExternalId: 'namespace/payments-prod',
        entitlementExternalId: 'ClusterRole/view',
      }),
    )
    expect(grants.some((g) => g.identityExternalId.includes('jane'))).toBe(false)
    expect(errors).toEqual([expect.objectContaining({ message: expect.stringContaining('payments-prod/deleted-sa') })])
  })

  it('reads the owner annotation as an e-mail (also "Name <e-mail>"), and reports no usage (kubectl has none)', () => {
    expect(ownerEmailOf({ 'custodian.io/owner': 'Ada@Acme.example' })).toBe('ada@acme.example')
    expect(ownerEmailOf({ 'custodian.io/owner': 'Ada Admin <ada@acme.example>' })).toBe('ada@acme.example')
    expect(ownerEmailOf({ 'custodian.io/owner': 'team-payments', owner: 'grace@acme.example' })).toBe('grace@acme.example')
    expect(ownerEmailOf({ 'custodian.io/owner': 'not an e-mail' })).toBeNull()
    const { records } = mapKubernetesList(fixture)
    for (const r of records) {
      if (r.identity) expect(r.identity).not.toHaveProperty('lastUsedAt')
      for (const c of r.credentials ?? []) expect(c).not.toHaveProperty('lastUsedAt')
      for (const g of r.grants ?? []) expect(g).not.toHaveProperty('lastUsedAt')
    }
  })

  it('judges privilege and environment', () => {
    expect(isPrivilegedRole('cluster-admin')).toBe(true)
    expect(isPrivilegedRole('x', [{ verbs: ['*'], resources: ['deployments'] }])).toBe(true)
    expect(isPrivilegedRole('x', [{ apiGroups: [''], verbs: ['get'], resources: ['secrets'] }])).toBe(true)
    expect(isPrivilegedRole('view', [{ apiGroups: [''], verbs: ['get', 'list'], resources: ['pods'] }])).toBe(false)
    expect([environmentOf('payments-prod'), environmentOf('checkout-staging'), environmentOf('kube-system')]).toEqual(['production', 'staging', 'unknown'])
  })

  it('refuses what is not kubectl output', () => {
    expect(() => mapKubernetesList({ kind: 'Pod' })).toThrow(/expected a List with "items"/)
    expect(() => mapKubernetesList({ kind: 'List', items: [{ kind: 'Pod', metadata: { name: 'x' } }] })).toThrow(/holds no service accounts/)
  })
})
