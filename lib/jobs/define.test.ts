import { describe, expect, it } from 'vitest'
import { z } from 'zod'
import { defineJob, JobPayloadError, jobRegistry, jobRow, parsePayload, schedulerContext, defineScheduler } from './define'

const closeJob = defineJob({
  type: 'close_thing',
  payload: z.object({ thingId: z.string().min(1), stage: z.number().int().default(1) }),
  key: (p, { orgId }) => `close_thing:${orgId}:${p.thingId}:${p.stage}`,
  maxAttempts: 3,
  run: async ({ payload }) => ({ closed: payload.thingId }),
})

describe('defineJob and the rows it makes', () => {
  it('builds the idempotency key from the parsed payload (defaults applied) and keeps what the definition says', () => {
    const row = jobRow(closeJob, { thingId: 't1' }, { orgId: 'o1', total: 7, createdById: 'u1' })
    expect(row).toMatchObject({ orgId: 'o1', type: 'close_thing', idempotencyKey: 'close_thing:o1:t1:1', maxAttempts: 3, total: 7, createdById: 'u1' })
    expect(JSON.parse(row.payload)).toEqual({ thingId: 't1', stage: 1 })
    // The same payload gives the same key: asking twice queues one job.
    expect(jobRow(closeJob, { thingId: 't1', stage: 1 }, { orgId: 'o1' }).idempotencyKey).toBe(row.idempotencyKey)
    expect(jobRow(closeJob, { thingId: 't1', stage: 2 }, { orgId: 'o1' }).idempotencyKey).toBe('close_thing:o1:t1:2')
  })

  it('defaults: attempts 5, due now, no total, nobody asked', () => {
    const plain = defineJob({ type: 'plain', payload: z.object({}), key: (_p, { orgId }) => `plain:${orgId}`, run: async () => {} })
    const before = Date.now()
    const row = jobRow(plain, {}, { orgId: 'o1' })
    expect(row).toMatchObject({ maxAttempts: 5, total: 0, createdById: null, payload: '{}' })
    expect(row.runAt.getTime()).toBeGreaterThanOrEqual(before)
  })

  it('refuses a bad payload when queuing, naming the job and the field', () => {
    // @ts-expect-error -- the payload type comes from the schema: a number is not a thingId
    expect(() => jobRow(closeJob, { thingId: 42 }, { orgId: 'o1' })).toThrow(JobPayloadError)
    // @ts-expect-error -- a required field cannot be left out
    expect(() => jobRow(closeJob, {}, { orgId: 'o1' })).toThrow(/Bad payload for close_thing[\s\S]*thingId/)
    expect(() => jobRow(closeJob, { thingId: '' }, { orgId: 'o1' })).toThrow(JobPayloadError)
  })

  it('refuses a stored payload that is not what the job takes (the worker fails it for good)', () => {
    expect(() => parsePayload(closeJob, undefined)).toThrow(JobPayloadError)
    expect(() => parsePayload(closeJob, { thingId: 1 })).toThrow(JobPayloadError)
    expect(parsePayload(closeJob, { thingId: 'x' })).toEqual({ thingId: 'x', stage: 1 })
  })

  it('registers each type once', () => {
    const other = defineJob({ type: 'other', payload: z.object({}), key: () => 'other', run: async () => {} })
    const jobs = jobRegistry([closeJob, other])
    expect(jobs.close_thing).toBe(closeJob)
    expect(jobs.other).toBe(other)
    expect(Object.keys(jobs)).toEqual(['close_thing', 'other'])
    expect(() => jobRegistry([closeJob, { ...other, type: 'close_thing' }])).toThrow(/Two job definitions for "close_thing"/)
  })

  it('gives a scheduler a system context named after it, with no permissions', () => {
    const s = defineScheduler({ name: 'things', run: async () => {} })
    const ctx = schedulerContext(s, { id: 'o1', slug: 'acme', name: 'Acme' })
    expect(ctx.actor).toEqual({ type: 'system', id: null, label: 'things scheduler', job: { type: 'things scheduler', id: null } })
    expect(ctx.permissions.size).toBe(0)
  })
})
