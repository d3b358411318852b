import { describe, expect, it } from 'vitest'
import { exportDownloadPath, inventoryReportPath, periodOf } from './links'

describe('scheduled report links and periods', () => {
  it('links to the report downloads of the organization', () => {
    expect(inventoryReportPath('acme')).toBe('/api/orgs/acme/reports/inventory')
    expect(exportDownloadPath('acme', 'e 1')).toBe('/api/orgs/acme/reports/exports/e%201')
  })
  it('names the UTC week (from Monday) and month a time falls in', () => {
    expect(periodOf('weekly', new Date('2026-12-06T23:59:00Z'))).toEqual({ period: 'week-of-2026-11-30', start: new Date('2026-11-30T00:00:00Z') })
    expect(periodOf('weekly', new Date('2026-12-07T00:00:00Z')).period).toBe('week-of-2026-12-07')
    expect(periodOf('monthly', new Date('2026-12-31T12:00:00Z'))).toEqual({ period: '2026-12', start: new Date('2026-12-01T00:00:00Z') })
  })
})
