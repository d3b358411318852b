import { describe, expect, it } from 'vitest'
import { STATISTICS_CHANGE_FLOOR, statisticsStale } from './statistics'

describe('statisticsStale', () => {
  it('refreshes when the changed rows reach a tenth of what the statistics describe, database-wide, plus a floor', () => {
    expect(statisticsStale(STATISTICS_CHANGE_FLOOR + 100_000, 1_000_000)).toBe(true)
    expect(statisticsStale(STATISTICS_CHANGE_FLOOR + 99_999, 1_000_000)).toBe(false)
    expect(statisticsStale(150, 1_000)).toBe(true)
    expect(statisticsStale(149, 1_000)).toBe(false)
  })

  it('a small sync in a small organization on a big database does not refresh a million rows', () => {
    // The old rule (a tenth of the organization) refreshed here: 20 identities and their grants in a new organization.
    expect(statisticsStale(40, 6_000_000)).toBe(false)
    expect(statisticsStale(10_000, 6_000_000)).toBe(false)
  })

  it('a database never analyzed is stale as soon as anything changed', () => {
    expect(statisticsStale(3, null)).toBe(true)
    expect(statisticsStale(0, null)).toBe(false)
    expect(statisticsStale(0, 0)).toBe(false)
  })
})
