import fs from 'node:fs'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { isPrivilegedPermission, mapGithubBundle } from './github'

const fixture = JSON.parse(fs.readFileSync(path.resolve('tests/fixtures/imports/github-org.json'), 'utf8'))

describe('GitHub bundle mapper', () => {
  it('maps installations, deploy keys and fine-grained tokens with the API field names', () => {
    const { records, errors } = mapGithubBundle(fixture)
    expect(errors).toEqual([])
    const ids = records.flatMap((r) => (r.identity ? [r.identity] : []))
    expect(ids.find((i) => i.externalId === 'installation/31842')).toMatchObject({ name: 'Acme Release Bot', kind: 'oauth_app' })
    expect(ids.find((i) => i.externalId === 'installation/40111')).toMatchObject({ status: 'disabled' })
    expect(ids.find((i) => i.externalId === 'pat/25999')).toMatchObject({ status: 'disabled', kind: 'api_key' })
    const ents = records.flatMap((r) => r.entitlements ?? [])
    expect(ents).toContainEqual(expect.objectContaining({ name: 'administration:write', privileged: true }))
    expect(ents).toContainEqual(expect.objectContaining({ name: 'metadata:read', privileged: false }))
    const key = records.find((r) => r.identity?.externalId === 'deploy_key/acme/monolith/7001')!
    expect(key.credentials?.[0]).toMatchObject({ kind: 'ssh_key', externalId: '7001' })
    expect(key.grants?.[0]).toMatchObject({ entitlementExternalId: 'contents:write' })
  })

  it('tells never used (the API says null) from unknown (installations and permissions report no usage; a field left out)', () => {
    const { records } = mapGithubBundle(fixture)
    const by = (id: string) => records.find((r) => r.identity?.externalId === id)!
    expect(by('installation/31842').identity!.lastUsedAt).toBeUndefined()
    expect(by('installation/31842').grants!.every((g) => g.lastUsedAt === undefined)).toBe(true)
    expect(by('deploy_key/acme/monolith/7002').identity!.lastUsedAt).toBeNull()
    expect(by('deploy_key/acme/monolith/7002').credentials![0].lastUsedAt).toBeNull()
    expect(by('deploy_key/acme/monolith/7001').identity!.lastUsedAt?.toISOString()).toBe('2025-11-20T10:00:00.000Z')
    const noField = mapGithubBundle({ deploy_keys: [{ repository: 'acme/x', keys: [{ id: 1, key: 'ssh-ed25519 AAAA', read_only: true }] }] }).records[0]
    expect(noField.identity!.lastUsedAt).toBeUndefined()
    expect(noField.credentials![0].lastUsedAt).toBeUndefined()
  })

  it('judges GitHub permissions', () => {
    expect(isPrivilegedPermission('contents', 'write')).toBe(false)
    expect(isPrivilegedPermission('workflows', 'write')).toBe(true)
    expect(isPrivilegedPermission('anything', 'admin')).toBe(true)
  })

  it('reports a malformed entry and refuses what is not a bundle', () => {
    expect(mapGithubBundle({ personal_access_tokens: [{ token_name: 'no id' }] }).errors).toEqual([{ ref: 'personal_access_tokens[0]', message: 'needs "id"' }])
    expect(() => mapGithubBundle([])).toThrow(/does not look like a GitHub organization bundle/)
  })
})
