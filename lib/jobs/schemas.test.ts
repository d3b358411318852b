import { describe, expect, it } from 'vitest'
import { backoffMs, jobListSchema } from './schemas'

describe('job backoff', () => {
  it('grows exponentially and is capped', () => {
    expect(backoffMs(1, () => 0.999)).toBeLessThanOrEqual(2000)
    expect(backoffMs(3, () => 0.999)).toBeGreaterThan(7000)
    expect(backoffMs(30, () => 0.999)).toBeLessThanOrEqual(300_000)
  })
  it('never retries immediately, even with zero jitter', () => {
    expect(backoffMs(1, () => 0)).toBe(500)
  })
  it('parses list params forgivingly', () => {
    expect(jobListSchema.parse({ status: 'exploded', page: 'x' })).toMatchObject({ status: undefined, page: 1, size: 50 })
  })
})
