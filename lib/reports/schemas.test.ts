import { describe, expect, it } from 'vitest'
import { rangeBounds, rangeSchema } from './schemas'

describe('report ranges', () => {
  it('accepts a range of whole days, the last day included', () => {
    const r = rangeSchema.parse({ from: '2026-01-01', to: '2026-01-31' })
    expect(rangeBounds(r)).toEqual({ from: new Date('2026-01-01T00:00:00Z'), to: new Date('2026-02-01T00:00:00Z') })
    expect(rangeSchema.safeParse({ from: '2026-01-01', to: '2026-01-01' }).success).toBe(true)
    expect(rangeSchema.safeParse({ from: '2025-01-01', to: '2025-12-31' }).success).toBe(true)
  })

  it('refuses reversed, over-long and malformed ranges with a message a person can act on', () => {
    const reversed = rangeSchema.safeParse({ from: '2026-02-01', to: '2026-01-01' })
    expect(reversed.success).toBe(false)
    expect(reversed.error?.issues[0].message).toMatch(/start date is after the end date/)
    const long = rangeSchema.safeParse({ from: '2024-01-01', to: '2026-01-01' })
    expect(long.error?.issues[0].message).toMatch(/at most 366 days/)
    expect(rangeSchema.safeParse({ from: '2026-13-45', to: '2026-01-01' }).success).toBe(false)
    expect(rangeSchema.safeParse({ from: 'yesterday', to: '2026-01-01' }).success).toBe(false)
  })
})
