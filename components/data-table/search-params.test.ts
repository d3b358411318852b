import { describe, expect, it } from 'vitest'
import { z } from 'zod'
import { formatCount } from '@/components/ui/format'
import { firstValues, pageOf, pageParams, paging } from './search-params'

describe('pageParams', () => {
  const schema = z.object({ q: z.string().optional(), ...pageParams(25) })

  it('reads page and size', () => {
    expect(schema.parse({ page: '3', size: '100' })).toEqual({ page: 3, size: 100 })
  })

  it('falls back on anything else, with the size capped to what the pager offers', () => {
    expect(schema.parse({ page: '-2', size: '5000' })).toEqual({ page: 1, size: 25 })
    expect(schema.parse({ page: '1.5', size: 'x' })).toEqual({ page: 1, size: 25 })
    expect(schema.parse({ page: '100001' })).toMatchObject({ page: 1 })
    expect(z.object(pageParams()).parse({})).toEqual({ page: 1, size: 50 })
  })
})

describe('firstValues and pageOf', () => {
  it('keeps the first of repeated params', () => {
    expect(firstValues({ a: ['1', '2'], b: 'x', c: undefined })).toEqual({ a: '1', b: 'x', c: undefined })
  })

  it('slices one page', () => {
    const rows = Array.from({ length: 7 }, (_, i) => i)
    expect(pageOf(rows, { page: 2, size: 3 })).toEqual([3, 4, 5])
    expect(pageOf(rows, { page: 3, size: 3 })).toEqual([6])
    expect(pageOf(rows, { page: 9, size: 3 })).toEqual([])
  })
})

describe('paging', () => {
  it('marks a capped count, which the pager shows as "more than"', () => {
    expect(paging({ page: 3, size: 50 }, 10_001, true)).toMatchObject({ total: 10_001, totalAtLeast: true })
    expect(formatCount(10_001, true)).toBe('more than 10,000')
    expect(formatCount(10_001)).toBe('10,001')
  })
  it('maps parsed params and a total to the table’s props', () => {
    expect(paging({ page: 2, size: 25, sort: 'name', dir: 'desc' }, 80)).toEqual({ total: 80, page: 2, pageSize: 25, sort: 'name', dir: 'desc' })
    expect(paging({ page: 1, size: 50 }, 0)).toEqual({ total: 0, page: 1, pageSize: 50, sort: undefined, dir: undefined })
  })
})
