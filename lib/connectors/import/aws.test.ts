import { describe, expect, it } from 'vitest'
import type { DiscoveryPage } from '@/lib/connectors/types'
import { readAwsCredentialReport } from './aws'

const HEADER =
  'user,arn,user_creation_time,password_enabled,password_last_used,password_last_changed,password_next_rotation,mfa_active,access_key_1_active,access_key_1_last_rotated,access_key_1_last_used_date,access_key_1_last_used_region,access_key_1_last_used_service,access_key_2_active,access_key_2_last_rotated,access_key_2_last_used_date,access_key_2_last_used_region,access_key_2_last_used_service,cert_1_active,cert_1_last_rotated,cert_2_active,cert_2_last_rotated\n'

async function read(csv: string) {
  const pages: DiscoveryPage[] = []
  for await (const p of readAwsCredentialReport([csv])) pages.push(p)
  return {
    identities: pages.flatMap((p) => p.identities ?? []),
    credentials: pages.flatMap((p) => p.credentials ?? []),
    errors: pages.flatMap((p) => p.errors ?? []),
    entitlements: pages.flatMap((p) => p.entitlements ?? []),
    grants: pages.flatMap((p) => p.grants ?? []),
    skipped: pages.flatMap((p) => p.skipped ?? []),
  }
}

describe('AWS credential report mapper', () => {
  it('maps a machine user with two keys, N/A and no_information markers', async () => {
    const r = await read(
      HEADER +
        'svc-backup,arn:aws:iam::123456789012:user/ops/svc-backup,2020-09-09T08:00:00+00:00,false,N/A,N/A,N/A,false,true,2024-10-01T10:00:00+00:00,no_information,N/A,N/A,false,2020-09-09T08:00:01+00:00,2023-02-14T12:00:00+00:00,eu-west-1,s3,false,N/A,false,N/A\n',
    )
    expect(r.errors).toEqual([])
    expect(r.identities[0]).toMatchObject({ externalId: 'arn:aws:iam::123456789012:user/ops/svc-backup', name: 'svc-backup', kind: 'service_account' })
    expect(r.identities[0].lastUsedAt?.toISOString()).toBe('2023-02-14T12:00:00.000Z')
    expect(r.credentials.map((c) => [c.label, c.status])).toEqual([
      ['Access key 1', 'active'],
      ['Access key 2', 'inactive'],
    ])
    expect(r.credentials[0].fingerprint).not.toBe(r.credentials[1].fingerprint)
  })

  it('gives the root user its reach: every action on the account, privileged', async () => {
    const r = await read(
      HEADER +
        '<root_account>,arn:aws:iam::123456789012:root,2017-02-11T09:30:12+00:00,not_supported,2025-06-03T14:22:10+00:00,not_supported,not_supported,true,true,2019-01-01T00:00:00+00:00,2025-01-01T00:00:00+00:00,us-east-1,s3,false,N/A,N/A,N/A,N/A,false,N/A,false,N/A\n',
    )
    expect(r.identities.map((i) => [i.name, i.kind])).toEqual([['root (123456789012)', 'other']])
    expect(r.entitlements).toEqual([expect.objectContaining({ resourceExternalId: 'aws-account/123456789012', externalId: 'root', privileged: true })])
    expect(r.grants).toEqual([expect.objectContaining({ identityExternalId: 'arn:aws:iam::123456789012:root', entitlementExternalId: 'root' })])
    expect(r.grants[0].lastUsedAt?.toISOString()).toBe('2025-06-03T14:22:10.000Z')
    expect(r.credentials).toEqual([expect.objectContaining({ kind: 'access_key', status: 'active' })])
  })

  it('leaves out a console user with MFA and no keys (a person), and says so; keeps console users that are not clearly people', async () => {
    const r = await read(
      HEADER +
        'alice,arn:aws:iam::123456789012:user/alice,2019-05-05T10:10:10+00:00,true,2025-11-20T08:30:00+00:00,2025-08-01T09:00:00+00:00,N/A,true,false,N/A,N/A,N/A,N/A,false,N/A,N/A,N/A,N/A,false,N/A,false,N/A\n' +
        'shared-ops,arn:aws:iam::123456789012:user/shared-ops,2019-05-05T10:10:10+00:00,true,2025-11-20T08:30:00+00:00,2025-08-01T09:00:00+00:00,N/A,false,false,N/A,N/A,N/A,N/A,false,N/A,N/A,N/A,N/A,false,N/A,false,N/A\n' +
        'bob,arn:aws:iam::123456789012:user/bob,2019-05-05T10:10:10+00:00,true,2025-11-20T08:30:00+00:00,2025-08-01T09:00:00+00:00,N/A,true,true,2024-01-01T00:00:00+00:00,N/A,N/A,N/A,false,N/A,N/A,N/A,N/A,false,N/A,false,N/A\n',
    )
    expect(r.skipped).toEqual([{ line: 2, name: 'alice', reason: expect.stringMatching(/^a person: console password with MFA, no access keys/) }])
    expect(r.identities.map((i) => [i.name, i.kind])).toEqual([
      ['shared-ops', 'other'],
      ['bob', 'other'],
    ])
    expect(r.credentials.some((c) => c.identityExternalId.endsWith('/alice'))).toBe(false)
  })

  it('reports usage: a key never used is never used (null); a signing certificate has no usage column (unknown)', async () => {
    const r = await read(
      HEADER +
        'jenkins,arn:aws:iam::123456789012:user/jenkins,2016-01-20T15:45:00+00:00,false,N/A,N/A,N/A,false,true,2016-01-20T15:45:01+00:00,N/A,N/A,N/A,false,N/A,N/A,N/A,N/A,true,2016-01-21T09:00:00+00:00,false,N/A\n',
    )
    expect(r.identities[0].lastUsedAt).toBeNull()
    expect(r.credentials.find((c) => c.kind === 'access_key')!.lastUsedAt).toBeNull()
    expect(r.credentials.find((c) => c.kind === 'certificate')!.lastUsedAt).toBeUndefined()
  })

  it('reports a bad row with its line and refuses a file that is not a credential report', async () => {
    const r = await read(
      HEADER +
        'x,arn:aws:iam::123456789012:user/x,last tuesday,false,N/A,N/A,N/A,false,false,N/A,N/A,N/A,N/A,false,N/A,N/A,N/A,N/A,false,N/A,false,N/A\nbad,not-an-arn,2020-01-01,false,N/A,N/A,N/A,false,false,N/A,N/A,N/A,N/A,false,N/A,N/A,N/A,N/A,false,N/A,false,N/A\n',
    )
    expect(r.errors).toEqual([
      { line: 2, message: expect.stringContaining('user_creation_time') },
      { line: 3, message: expect.stringContaining('not an IAM user ARN') },
    ])
    await expect(read('name,external_id\na,b\n')).rejects.toThrow(/does not look like an AWS IAM credential report: the header lacks user, arn/)
  })
})
