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
