import { describe, it, expect } from 'vitest'
import { buildHref, clampPage, pageCount, parseHidden, parseTableParams, serializeHidden, tableParams } from './url-state'

const params = (s: string) => new URLSearchParams(s)

describe('buildHref', () => {
  it('sets a param and keeps the others', () => {
    expect(buildHref('/identities', params('q=svc&kind=key'), { sort: 'name' })).toBe('/identities?q=svc&kind=key&sort=name')
  })

  it('deletes a param when the change is null or empty', () => {
    expect(buildHref('/x', params('q=svc&kind=key'), { kind: null })).toBe('/x?q=svc')
    expect(buildHref('/x', params('q=svc&kind=key'), { q: '' })).toBe('/x?kind=key')
  })

  it('ignores undefined changes', () => {
    expect(buildHref('/x', params('page=3&q=a'), { q: undefined })).toBe('/x?page=3&q=a')
  })

  it('returns the bare pathname when no params remain', () => {
    expect(buildHref('/x', params('q=a'), { q: null })).toBe('/x')
  })

  it('changing page keeps everything else', () => {
    expect(buildHref('/x', params('q=a&sort=name&dir=desc'), { page: 4 })).toBe('/x?q=a&sort=name&dir=desc&page=4')
  })

  it('removes page when set to 1 or less (canonical default)', () => {
    expect(buildHref('/x', params('page=4&q=a'), { page: 1 })).toBe('/x?q=a')
    expect(buildHref('/x', params('page=4'), { page: 0 })).toBe('/x')
  })

  it('resets page when sort, dir or pageSize change', () => {
    expect(buildHref('/x', params('page=5&sort=name'), { sort: 'kind', dir: 'asc' })).toBe('/x?sort=kind&dir=asc')
    expect(buildHref('/x', params('page=5'), { size: 100 })).toBe('/x?size=100')
    expect(buildHref('/x', params('page=5&q=a'), { q: null })).toBe('/x')
  })

  it('does not reset page when the value is unchanged', () => {
    expect(buildHref('/x', params('page=5&sort=name'), { sort: 'name' })).toBe('/x?page=5&sort=name')
  })

  it('an explicit page wins over the reset', () => {
    expect(buildHref('/x', params('page=5'), { size: 50, page: 2 })).toBe('/x?page=2&size=50')
  })

  it('can keep the page with resetPage: false', () => {
    expect(buildHref('/x', params('page=5'), { hide: 'kind' }, { resetPage: false })).toBe('/x?page=5&hide=kind')
  })

  it('accepts a query string and encodes values', () => {
    expect(buildHref('/x', 'q=a+b', { hide: 'name,kind' })).toBe('/x?q=a+b&hide=name%2Ckind')
  })

  it('does not mutate the given params', () => {
    const current = params('page=2&q=a')
    buildHref('/x', current, { q: null })
    expect(current.toString()).toBe('page=2&q=a')
  })
})

describe('hidden columns', () => {
  it('parses and de-duplicates', () => {
    expect(parseHidden('a, b,,a')).toEqual(['a', 'b'])
    expect(parseHidden(null)).toEqual([])
    expect(parseHidden('')).toEqual([])
  })

  it('serialises, null when empty', () => {
    expect(serializeHidden(['a', 'b', 'a'])).toBe('a,b')
    expect(serializeHidden([])).toBeNull()
  })
})

describe('paging maths', () => {
  it('computes page counts', () => {
    expect(pageCount(0, 25)).toBe(1)
    expect(pageCount(25, 25)).toBe(1)
    expect(pageCount(12430, 50)).toBe(249)
  })

  it('clamps pages', () => {
    expect(clampPage(0, 100, 25)).toBe(1)
    expect(clampPage(9, 100, 25)).toBe(4)
    expect(clampPage(2, 100, 25)).toBe(2)
    expect(clampPage(Number.NaN, 100, 25)).toBe(1)
  })
})

describe('parseTableParams', () => {
  const options = { sortableColumns: ['name', 'lastUsedAt'], defaultSort: 'name' }

  it('parses valid values from URLSearchParams', () => {
    expect(parseTableParams(params('page=3&size=50&sort=lastUsedAt&dir=desc&hide=kind'), options)).toEqual({
      page: 3,
      pageSize: 50,
      sort: 'lastUsedAt',
      dir: 'desc',
      hiddenColumns: ['kind'],
      offset: 100,
    })
  })

  it('parses a Next.js searchParams record', () => {
    const parsed = parseTableParams({ page: ['2', '9'], sort: 'name', dir: 'asc' }, options)
    expect(parsed).toMatchObject({ page: 2, sort: 'name', dir: 'asc', offset: 25 })
  })

  it('falls back to defaults for invalid input', () => {
    expect(
      parseTableParams(params('page=-1&size=7&sort=secret&dir=up'), {
        ...options,
        defaultDir: 'desc',
      }),
    ).toEqual({ page: 1, pageSize: 25, sort: 'name', dir: 'desc', hiddenColumns: [], offset: 0 })
    expect(parseTableParams(params('page=1.5'), { sortableColumns: [] })).toMatchObject({
      page: 1,
      sort: undefined,
      dir: 'asc',
    })
  })
})

describe('a second table on the page', () => {
  it('names its params with a prefix', () => {
    expect(tableParams('r')).toEqual({ page: 'rpage', pageSize: 'rsize', sort: 'rsort', dir: 'rdir', hide: 'rhide' })
    expect(tableParams()).toEqual({ page: 'page', pageSize: 'size', sort: 'sort', dir: 'dir', hide: 'hide' })
  })

  it('pages and resets its own page param, keeping the other table’s page', () => {
    expect(buildHref('/x', params('page=3&rpage=2'), { rpage: 4 }, { pageParam: 'rpage' })).toBe('/x?page=3&rpage=4')
    expect(buildHref('/x', params('page=3&rpage=2'), { rsize: 50 }, { pageParam: 'rpage' })).toBe('/x?page=3&rsize=50')
    expect(buildHref('/x', params('page=3&rpage=2'), { rpage: 1 }, { pageParam: 'rpage' })).toBe('/x?page=3')
  })
})
