import { describe, expect, it } from 'vitest'
import { neutraliseCell } from '@/lib/reports/csv'
import { canonicalViewParams, filterQuery, flattenParams, paramValues, parseInventoryFilter, parseInventoryView } from './view-params'

describe('inventory view params', () => {
  it('reads several values of a filter written either way', () => {
    expect(parseInventoryFilter(new URLSearchParams('kind=api_key&kind=bot')).kind).toEqual(['api_key', 'bot'])
    expect(parseInventoryFilter(new URLSearchParams('kind=api_key,bot')).kind).toEqual(['api_key', 'bot'])
    expect(parseInventoryFilter({ kind: ['api_key', 'bot'], env: 'production' })).toMatchObject({ kind: ['api_key', 'bot'], env: ['production'] })
    expect(paramValues(new URLSearchParams('kind=api_key&kind=bot,ci_cd'), 'kind')).toEqual(['api_key', 'bot', 'ci_cd'])
  })
  it('keeps the first value of a single-value filter given twice', () => {
    expect(flattenParams(new URLSearchParams('owner=unowned&owner=me&q=a&q=b'))).toEqual({ owner: 'unowned', q: 'a' })
  })
  it('keeps the finding filter', () => {
    expect(parseInventoryFilter(new URLSearchParams('finding=NHI5')).finding).toBe('NHI5')
    expect(parseInventoryFilter(new URLSearchParams('finding=old-secret')).finding).toBe('old-secret')
    expect(parseInventoryFilter(new URLSearchParams('finding=DROP TABLE')).finding).toBeUndefined()
  })
  it('gives two URLs of the same view the same canonical params, without the page or unknown params', () => {
    const a = canonicalViewParams(new URLSearchParams('kind=bot&kind=api_key&page=3&sort=name&dir=asc&hide=source,bogus&utm=x&finding=NHI5'))
    const b = canonicalViewParams({ finding: 'NHI5', kind: 'bot,api_key', sort: 'name', dir: 'asc', hide: 'source' })
    expect(a).toEqual(b)
    expect(a).toEqual({ kind: 'bot,api_key', finding: 'NHI5', sort: 'name', dir: 'asc', hide: 'source' })
    expect(canonicalViewParams(new URLSearchParams('sort=riskScore&dir=desc&size=50'))).toEqual({})
    expect(canonicalViewParams(new URLSearchParams('size=100'))).toEqual({ size: '100' })
  })
  it('parses the whole view forgivingly', () => {
    const v = parseInventoryView({ kind: ['robot', 'bot'], hide: 'owner,password', size: '9999' })
    expect(v.params).toMatchObject({ kind: ['bot'], size: 50, page: 1 })
    expect(v.hide).toEqual(['owner'])
  })
  it('gives the filter part as a query string', () => {
    expect(filterQuery(new URLSearchParams('kind=api_key&kind=bot&sort=name&page=2'))).toBe('kind=api_key%2Cbot')
    expect(filterQuery({})).toBe('')
  })
})

describe('CSV cells', () => {
  it('neutralises formula cells and leaves the rest', () => {
    for (const bad of ['=HYPERLINK("http://evil")', '+1+1', '-2+3', '@SUM(A1)', '\t=1', '\r=1']) expect(neutraliseCell(bad)).toBe(`'${bad}`)
    for (const ok of ['svc-payments', 'a=b', '2026-01-01T00:00:00.000Z', '', '42']) expect(neutraliseCell(ok)).toBe(ok)
  })
})
