import { describe, expect, it } from 'vitest'
import { filterToSearchParams, identityListSchema } from './schemas'

describe('identity list params', () => {
  it('falls back to defaults on malformed input', () => {
    const p = identityListSchema.parse({ page: '-3', size: '7', sort: 'password', dir: 'sideways', kind: 'robot,api_key', privileged: 'maybe' })
    expect(p).toMatchObject({ page: 1, size: 50, sort: 'riskScore', dir: 'desc', kind: ['api_key'], privileged: undefined })
  })
  it('keeps valid filters', () => {
    const p = identityListSchema.parse({ page: '3', size: '100', sort: 'name', dir: 'asc', env: 'production,staging', owner: 'unowned', credAge: '365' })
    expect(p).toMatchObject({ page: 3, size: 100, sort: 'name', dir: 'asc', env: ['production', 'staging'], owner: 'unowned', credAge: '365' })
  })
  it('rejects injection-shaped ids', () => {
    const p = identityListSchema.parse({ source: "abc,x' OR 1=1,def", owner: '../../etc' })
    expect(p.source).toEqual(['abc', 'def'])
    expect(p.owner).toBeUndefined()
  })
  it('round-trips a filter through URL params', () => {
    const sp = filterToSearchParams({ kind: ['bot', 'ci_cd'], owner: 'unowned', q: '' })
    expect(sp.toString()).toBe('kind=bot%2Cci_cd&owner=unowned')
    expect(identityListSchema.parse(Object.fromEntries(sp))).toMatchObject({ kind: ['bot', 'ci_cd'], owner: 'unowned' })
  })
})
