import { randomBytes } from 'node:crypto'
import { beforeEach, describe, expect, it } from 'vitest'
import { z } from 'zod'
import { db } from '@/lib/db'
import { defineJob, jobRegistry, PermanentJobError } from '@/lib/jobs/define'
import { enqueueJob, enqueueJobNow } from '@/lib/jobs/queue'
import { claimNextJob, drainJobs, laneTypes, runClaimedJob, runWorker } from '@/lib/jobs/worker'
import { createOrg, engine } from './fixtures'

const key = () => `test-${randomBytes(6).toString('hex')}`

// Test jobs keyed by their payload, run from their own registry.
const keyed = { payload: z.object({ key: z.string() }), key: (p: { key: string }) => p.key }
let calls = 0
const testNoop = defineJob({ type: 'test_noop', ...keyed, run: async () => ({}) })
const testFlaky = defineJob({
  type: 'test_flaky',
  ...keyed,
  run: async () => {
    calls++
    if (calls < 3) throw new Error(`transient ${calls}`)
    return { done: true }
  },
})
const testBroken = defineJob({
  type: 'test_broken',
  ...keyed,
  maxAttempts: 2,
  run: async () => {
    throw new Error('source unreachable')
  },
})
const testPermanent = defineJob({
  type: 'test_permanent',
  ...keyed,
  run: async () => {
    throw new PermanentJobError('the source cannot do this')
  },
})
const TEST_JOBS = jobRegistry([testNoop, testFlaky, testBroken, testPermanent])

describe(`job queue (${engine})`, () => {
  // These tests claim "the next job": jobs other files left queued (files run one after another) would be claimed
  // instead, so they are set aside first.
  beforeEach(async () => {
    await db.job.updateMany({ where: { status: { in: ['queued', 'retrying'] } }, data: { status: 'canceled' } })
  })
  it('enqueues once per idempotency key, in the caller’s transaction', async () => {
    const { org } = await createOrg()
    const k = key()
    const a = await enqueueJobNow(testNoop, { key: k }, { orgId: org.id })
    const b = await enqueueJobNow(testNoop, { key: k }, { orgId: org.id })
    expect(b.id).toBe(a.id)
    await expect(
      db.$transaction(async (tx) => {
        await enqueueJob(tx, testNoop, { key: 'rolled-back-' + k }, { orgId: org.id })
        throw new Error('change failed')
      }),
    ).rejects.toThrow('change failed')
    expect(await db.job.count({ where: { idempotencyKey: 'rolled-back-' + k } })).toBe(0)
    await db.job.deleteMany({ where: { orgId: org.id } })
  })

  it('retries with backoff, then succeeds', async () => {
    const { org } = await createOrg()
    const job = await enqueueJobNow(testFlaky, { key: key() }, { orgId: org.id })
    for (let i = 0; i < 3; i++) {
      await db.job.update({ where: { id: job.id }, data: { runAt: new Date(Date.now() - 1000) } })
      const claimed = await claimNextJob('w1')
      expect(claimed?.id).toBe(job.id)
      await runClaimedJob(claimed!, 'w1', TEST_JOBS)
    }
    const after = await db.job.findUniqueOrThrow({ where: { id: job.id } })
    expect(after).toMatchObject({ status: 'succeeded', attempts: 3, result: '{"done":true}', lastError: null })
  })

  it('fails for good after the bounded attempts, keeping the last error', async () => {
    const { org } = await createOrg()
    const job = await enqueueJobNow(testBroken, { key: key() }, { orgId: org.id })
    for (let i = 0; i < 2; i++) {
      await db.job.update({ where: { id: job.id }, data: { runAt: new Date(Date.now() - 1000) } })
      const claimed = await claimNextJob('w1')
      await runClaimedJob(claimed!, 'w1', TEST_JOBS)
    }
    expect(await db.job.findUniqueOrThrow({ where: { id: job.id } })).toMatchObject({ status: 'failed', attempts: 2, lastError: 'source unreachable' })
    expect(await claimNextJob('w1')).toBeNull()
  })

  it('fails at once on a permanent error', async () => {
    const { org } = await createOrg()
    await enqueueJobNow(testPermanent, { key: key() }, { orgId: org.id })
    await drainJobs(undefined, undefined, TEST_JOBS)
    expect(await db.job.findFirstOrThrow({ where: { orgId: org.id } })).toMatchObject({ status: 'failed', attempts: 1 })
  })

  it('reclaims a job whose worker died (lease expired) and never hands one job to two workers', async () => {
    const { org } = await createOrg()
    const job = await enqueueJobNow(testNoop, { key: key() }, { orgId: org.id })
    const first = await claimNextJob('dead-worker')
    expect(first?.id).toBe(job.id)
    expect(await claimNextJob('other')).toBeNull()
    await db.job.update({ where: { id: job.id }, data: { leaseUntil: new Date(Date.now() - 1) } })
    const again = await claimNextJob('w2')
    expect(again).toMatchObject({ id: job.id, attempts: 2, lockedBy: 'w2' })
    // The dead worker's late completion must not overwrite the new owner's run.
    await runClaimedJob(first!, 'dead-worker', TEST_JOBS)
    expect((await db.job.findUniqueOrThrow({ where: { id: job.id } })).status).toBe('running')
    await runClaimedJob(again!, 'w2', TEST_JOBS)
    expect((await db.job.findUniqueOrThrow({ where: { id: job.id } })).status).toBe('succeeded')
  })

  it('lets concurrent workers claim distinct jobs', async () => {
    const { org } = await createOrg()
    for (let i = 0; i < 10; i++) await enqueueJobNow(testNoop, { key: key() }, { orgId: org.id })
    const claims = await Promise.all(Array.from({ length: 10 }, (_, i) => claimNextJob(`c${i}`).catch(() => null)))
    const ids = claims.filter(Boolean).map((j) => j!.id)
    expect(new Set(ids).size).toBe(ids.length)
    expect(ids.length).toBeGreaterThan(0)
  })

  it('runs a person’s job while a long background job holds the other lane', async () => {
    const { org } = await createOrg()
    let release!: () => void
    const released = new Promise<void>((r) => (release = r))
    let bulkStarted = false
    const bulk = defineJob({
      type: 'test_bulk',
      lane: 'background',
      ...keyed,
      run: async () => {
        bulkStarted = true
        await released
        return {}
      },
    })
    const jobs = jobRegistry([testNoop, bulk])
    expect(laneTypes('background', jobs)).toEqual(['test_bulk'])
    expect(laneTypes('interactive', jobs)).toEqual(['test_noop'])
    const long = await enqueueJobNow(bulk, { key: key() }, { orgId: org.id, runAt: new Date(Date.now() - 60_000) })
    const controller = new AbortController()
    const worker = runWorker({ workerId: 'lanes', pollMs: 20, signal: controller.signal, jobs, schedulers: [] })
    try {
      await expect.poll(() => bulkStarted, { timeout: 10_000 }).toBe(true)
      const quick = await enqueueJobNow(testNoop, { key: key() }, { orgId: org.id })
      await expect.poll(async () => (await db.job.findUniqueOrThrow({ where: { id: quick.id } })).status, { timeout: 10_000 }).toBe('succeeded')
      expect((await db.job.findUniqueOrThrow({ where: { id: long.id } })).status).toBe('running')
    } finally {
      release()
      controller.abort()
      await worker
    }
    expect((await db.job.findUniqueOrThrow({ where: { id: long.id } })).status).toBe('succeeded')
  })
})
