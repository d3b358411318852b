import { describe, expect, it } from 'vitest'
import type { DiscoveryPage } from '@/lib/connectors/types'
import { readGenericCsv, readGenericJson } from './generic'

async function collect(pages: AsyncIterable<DiscoveryPage>) {
  const out: Required<Pick<DiscoveryPage, 'identities' | 'credentials' | 'grants' | 'errors'>> = { identities: [], credentials: [], grants: [], errors: [] }
  for await (const p of pages) {
    out.identities.push(...(p.identities ?? []))
    out.credentials.push(...(p.credentials ?? []))
    out.grants.push(...(p.grants ?? []))
    out.errors.push(...(p.errors ?? []))
  }
  return out
}

const HEADER =
  'name,external_id,kind,environment,owner_email,created_at,last_used_at,credential_kind,credential_id,credential_created_at,credential_expires_at,resource,permission,privileged,tags\n'

describe('generic CSV mapper', () => {
  it('maps identities, credentials and grants; one identity may span several rows', async () => {
    const csv =
      HEADER +
      'billing-etl,svc-001,service_account,production,Ada@Acme.example,2023-01-05,2025-10-01T08:00:00Z,access_key,AKIA1,2023-01-05,,s3://billing,s3:GetObject,false,team=payments;app=etl\n' +
      'billing-etl,svc-001,service_account,production,,,,,,,,s3://billing,s3:*,true,\n'
    const r = await collect(readGenericCsv([csv]))
    expect(r.errors).toEqual([])
    expect(r.identities).toHaveLength(2)
    expect(r.identities[0]).toMatchObject({
      externalId: 'svc-001',
      name: 'billing-etl',
      kind: 'service_account',
      environment: 'production',
      ownerEmail: 'ada@acme.example',
      tags: { team: 'payments', app: 'etl' },
    })
    expect(r.identities[0].createdAt?.toISOString()).toBe('2023-01-05T00:00:00.000Z')
    expect(r.credentials).toEqual([
      expect.objectContaining({ identityExternalId: 'svc-001', externalId: 'AKIA1', kind: 'access_key', fingerprint: 'id:AKIA1' }),
    ])
    expect(r.grants.map((g) => g.entitlementExternalId)).toEqual(['s3:GetObject', 's3:*'])
  })

  it('reports each bad row with its line number and a reason, and keeps the good ones', async () => {
    const csv = HEADER + 'ok,1,bot,,,,,,,,,,,,\nbad,2,robot,,,,,,,,,,,,\nworse,3,bot,,,yesterday,,,,,,,,,\nalso-ok,4,,,,,,,,,,,,,\n'
    const r = await collect(readGenericCsv([csv]))
    expect(r.identities.map((i) => i.externalId)).toEqual(['1', '4'])
    expect(r.errors).toEqual([
      { line: 3, message: expect.stringContaining('kind: "robot" is not one of') },
      { line: 4, message: expect.stringContaining('created_at: "yesterday" is not a date') },
    ])
  })

  it('refuses a file that is not a generic CSV with a clear message', async () => {
    await expect(collect(readGenericCsv(['user,arn,user_creation_time\nroot,arn:aws:iam::1:root,2020-01-01\n']))).rejects.toThrow(
      /does not look like a Custodian generic CSV/,
    )
    await expect(collect(readGenericCsv(['']))).rejects.toThrow(/empty/)
  })

  it('tells "never used" from "not known": empty last_used_at is unknown, "never" is never', async () => {
    const csv =
      'name,last_used_at,credential_id,credential_last_used_at,resource,permission,grant_last_used_at\nknown-never,never,k1,never,db,read,never\nunknown,,k2,,db,write,\nused,2025-01-01,k3,2025-01-02,db,admin,2025-01-03\n'
    const r = await collect(readGenericCsv([csv]))
    expect(r.errors).toEqual([])
    expect(r.identities.map((i) => i.lastUsedAt)).toEqual([null, undefined, new Date('2025-01-01T00:00:00Z')])
    expect(r.credentials.map((c) => c.lastUsedAt)).toEqual([null, undefined, new Date('2025-01-02T00:00:00Z')])
    expect(r.grants.map((g) => g.lastUsedAt)).toEqual([null, undefined, new Date('2025-01-03T00:00:00Z')])
    // Without the column at all, usage is not known either.
    expect((await collect(readGenericCsv(['name\nx\n']))).identities[0].lastUsedAt).toBeUndefined()
  })

  it('reads the JSON form with tags as an object', async () => {
    const r = await collect(readGenericJson([{ name: 'a', external_id: 'a1', kind: 'api_key', tags: { team: 'x' } }, 'nope', { name: 'b', kind: 'nope' }]))
    expect(r.identities).toEqual([expect.objectContaining({ externalId: 'a1', tags: { team: 'x' } })])
    expect(r.errors.map((e) => e.line)).toEqual([2, 3])
    await expect(collect(readGenericJson({ items: [] }))).rejects.toThrow(/expected an array/)
  })
})
