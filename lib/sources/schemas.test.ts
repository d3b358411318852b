import { describe, expect, it } from 'vitest'
import { scheduleMs, sourceEnvironmentOf, startImportSchema, updateScheduleSchema, updateSourceEnvironmentSchema } from './schemas'

describe('source schemas', () => {
  it('reads simple sync schedules and refuses the rest', () => {
    expect(scheduleMs('hourly')).toBe(3_600_000)
    expect(scheduleMs('Daily')).toBe(86_400_000)
    expect(scheduleMs('6h')).toBe(6 * 3_600_000)
    expect(scheduleMs('15m')).toBe(900_000)
    expect(scheduleMs('5m')).toBeNull()
    expect(scheduleMs('every tuesday')).toBeNull()
    expect(scheduleMs(null)).toBeNull()
    expect(updateScheduleSchema.safeParse({ orgSlug: 'a', sourceId: 's', schedule: '' }).data?.schedule).toBeNull()
    expect(updateScheduleSchema.safeParse({ orgSlug: 'a', sourceId: 's', schedule: 'sometimes' }).success).toBe(false)
  })

  it('reads a source environment setting and refuses anything else', () => {
    expect(sourceEnvironmentOf({ defaultEnvironment: 'production' })).toBe('production')
    expect(sourceEnvironmentOf({ defaultEnvironment: 'unknown' })).toBeNull()
    expect(sourceEnvironmentOf({ defaultEnvironment: 'prod' })).toBeNull()
    expect(sourceEnvironmentOf({})).toBeNull()
    expect(updateSourceEnvironmentSchema.safeParse({ orgSlug: 'a', sourceId: 's', environment: 'unknown' }).success).toBe(true)
    expect(updateSourceEnvironmentSchema.safeParse({ orgSlug: 'a', sourceId: 's', environment: 'moon' }).error?.issues[0].message).toMatch(
      /Choose production, staging/,
    )
  })

  it('accepts only well-formed upload ids', () => {
    expect(startImportSchema.safeParse({ orgSlug: 'a', uploadId: '0123456789abcdef0123456789abcdef' }).success).toBe(true)
    expect(startImportSchema.safeParse({ orgSlug: 'a', uploadId: '../../etc/passwd' }).success).toBe(false)
  })
})
