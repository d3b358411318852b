import { describe, expect, it } from 'vitest'
import { STATISTICS_CHANGE_THRESHOLD, statisticsStale } from './statistics'

describe('statisticsStale', () => {
  it('refreshes after many changed rows, or a tenth of what the organization held', () => {
    expect(statisticsStale(STATISTICS_CHANGE_THRESHOLD, 5_000_000)).toBe(true)
    expect(statisticsStale(STATISTICS_CHANGE_THRESHOLD - 1, 5_000_000)).toBe(false)
    expect(statisticsStale(100, 1_000)).toBe(true)
    expect(statisticsStale(99, 1_000)).toBe(false)
    expect(statisticsStale(3, 0)).toBe(true)
    expect(statisticsStale(0, 0)).toBe(false)
  })
})
