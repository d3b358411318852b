import { execFile } from 'node:child_process'
import { promisify } from 'node:util'
import { describe, expect, it } from 'vitest'
import { auditHash } from '@/lib/audit/chain'
import { createCheckpoint, latestCheckpoint } from '@/lib/audit/checkpoints'
import { auditCheckpointJob, auditCheckpointScheduler } from '@/lib/audit/jobs'
import { SCHEDULERS } from '@/lib/jobs/registry'
import { recordAudit } from '@/lib/audit/record'
import { verifyAuditChain } from '@/lib/audit/queries'
import { unsafeVerifyChainOfOrg } from '@/lib/audit/verify'
import { systemContext } from '@/lib/auth/org-context'
import { db } from '@/lib/db'
import { ForbiddenError } from '@/lib/errors'
import { enqueueJobNow } from '@/lib/jobs/queue'
import { drainJobs } from '@/lib/jobs/worker'
import { sql } from '@/lib/sql/sql'
import { prismaSql } from '@/lib/sql/prisma'
import { createOrg, engine } from './fixtures'

const run = promisify(execFile)

/** `npm run audit:verify` as a person runs it: a separate process reading DATABASE_URL, without the web app. */
async function cli(slug: string): Promise<{ code: number; out: string }> {
  try {
    const r = await run('node', ['--conditions=react-server', '--import', 'tsx', 'scripts/audit-verify.ts', '--org', slug], { env: process.env })
    return { code: 0, out: r.stdout + r.stderr }
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string }
    return { code: e.code, out: e.stdout + e.stderr }
  }
}

async function orgWithEvents(n: number) {
  const o = await createOrg()
  const admin = o.ctx('admin')
  for (let i = 1; i <= n; i++) await db.$transaction((tx) => recordAudit(tx, admin, { action: `test.step${i}`, details: { i } }))
  const events = await db.auditEvent.findMany({ where: { orgId: o.org.id }, orderBy: { seq: 'asc' } })
  return { ...o, admin, events }
}

describe(`audit chain verification from outside (${engine})`, () => {
  it('an intact chain with a signed checkpoint passes, in the app and from the command line', async () => {
    const { org, admin, ctx } = await orgWithEvents(3)
    const cp = await createCheckpoint(admin)
    expect(cp).toMatchObject({ seq: 4 }) // the key's own org-key.create row came first
    const row = await db.auditEvent.findFirstOrThrow({ where: { orgId: org.id, action: 'audit.checkpoint' } })
    expect(JSON.parse(row.details)).toMatchObject({ checkpointId: cp!.id, seq: 4, headHash: cp!.headHash, signature: cp!.signature })
    expect(await latestCheckpoint(ctx('auditor'))).toMatchObject({ id: cp!.id })
    expect(await verifyAuditChain(ctx('auditor'))).toEqual({ ok: true, checked: 5, checkpoints: 1 })
    const r = await cli(org.slug)
    expect(r.code).toBe(0)
    expect(r.out).toContain('audit chain intact — 5 events and 1 signed checkpoints verified')
  })

  it('only an admin (or the checkpoint job) signs a checkpoint', async () => {
    const { ctx } = await orgWithEvents(1)
    await expect(createCheckpoint(ctx('auditor'))).rejects.toBeInstanceOf(ForbiddenError)
    await expect(createCheckpoint(ctx('governance'))).rejects.toBeInstanceOf(ForbiddenError)
    await expect(createCheckpoint(systemContext(ctx('admin').org, { type: 'test', id: null }))).rejects.toBeInstanceOf(ForbiddenError)
  })

  it('the daily job signs the head once, and skips when nothing happened since', async () => {
    expect(SCHEDULERS).toContain(auditCheckpointScheduler)
    const { org } = await orgWithEvents(2)
    const job = await enqueueJobNow(auditCheckpointJob, { day: '2026-01-01' }, { orgId: org.id })
    await drainJobs()
    const done = await db.job.findUniqueOrThrow({ where: { id: job.id } })
    expect(done.status).toBe('succeeded')
    const cps = await db.auditCheckpoint.findMany({ where: { orgId: org.id } })
    expect(cps).toHaveLength(1)
    const row = await db.auditEvent.findFirstOrThrow({ where: { orgId: org.id, action: 'audit.checkpoint' } })
    expect(row).toMatchObject({ actorType: 'system', actorLabel: `audit_checkpoint ${job.id}` })
    await enqueueJobNow(auditCheckpointJob, { day: '2026-01-02' }, { orgId: org.id })
    await drainJobs()
    expect(await db.auditCheckpoint.count({ where: { orgId: org.id } })).toBe(1)
  })

  it('the scheduler signs about once a day: not a new organization, not again within a day of a checkpoint', async () => {
    const { org, admin } = await orgWithEvents(2)
    const jobsOf = () => db.job.count({ where: { orgId: org.id, type: 'audit_checkpoint' } })
    await auditCheckpointScheduler.run(new Date())
    expect(await jobsOf()).toBe(0)
    await db.organization.update({ where: { id: org.id }, data: { createdAt: new Date(Date.now() - 2 * 86_400_000) } })
    await auditCheckpointScheduler.run(new Date())
    await auditCheckpointScheduler.run(new Date())
    expect(await jobsOf()).toBe(1)
    await db.job.deleteMany({ where: { orgId: org.id, type: 'audit_checkpoint' } })
    await createCheckpoint(admin)
    await auditCheckpointScheduler.run(new Date(Date.now() + 3_600_000))
    expect(await jobsOf()).toBe(0)
    await auditCheckpointScheduler.run(new Date(Date.now() + 25 * 3_600_000))
    expect(await jobsOf()).toBe(1)
  })

  it('names an edited event (id, position, what did not match), exit code 1', async () => {
    const { org, events } = await orgWithEvents(4)
    await prismaSql().execute(sql`UPDATE "AuditEvent" SET "justification" = ${'nothing to see'} WHERE "id" = ${events[1].id}`)
    const r = await unsafeVerifyChainOfOrg(org.id)
    expect(r).toMatchObject({ ok: false, checked: 1, break: { seq: 2, eventId: events[1].id, reason: 'event content was altered' } })
    expect(r.break!.detail).toMatch(/^stored hash [0-9a-f]{12}…, its fields hash to [0-9a-f]{12}…$/)
    const c = await cli(org.slug)
    expect(c.code).toBe(1)
    expect(c.out).toContain(`BROKEN at position 2 (event ${events[1].id}): event content was altered`)
  })

  it('names a deleted event', async () => {
    const { org, events } = await orgWithEvents(4)
    await prismaSql().execute(sql`DELETE FROM "AuditEvent" WHERE "id" = ${events[2].id}`)
    const r = await unsafeVerifyChainOfOrg(org.id)
    expect(r).toMatchObject({
      ok: false,
      checked: 2,
      break: { seq: 3, eventId: events[3].id, reason: 'event 3 is missing', detail: 'the next event present is #4' },
    })
    const c = await cli(org.slug)
    expect(c.code).toBe(1)
    expect(c.out).toContain('BROKEN at position 3')
  })

  it('names two swapped events as reordered', async () => {
    const { org, events } = await orgWithEvents(4)
    const s = prismaSql()
    await s.transaction(async (tx) => {
      await tx.execute(sql`UPDATE "AuditEvent" SET "seq" = ${-1} WHERE "id" = ${events[1].id}`)
      await tx.execute(sql`UPDATE "AuditEvent" SET "seq" = ${2} WHERE "id" = ${events[2].id}`)
      await tx.execute(sql`UPDATE "AuditEvent" SET "seq" = ${3} WHERE "id" = ${events[1].id}`)
    })
    const r = await unsafeVerifyChainOfOrg(org.id)
    expect(r).toMatchObject({ ok: false, break: { seq: 2, eventId: events[2].id, reason: 'events were reordered: event #2 links to the event now at #3' } })
    expect((await cli(org.slug)).code).toBe(1)
  })

  it('a rewritten chain (hashes recomputed after an edit) is caught by the signed checkpoint', async () => {
    const { org, admin } = await orgWithEvents(3)
    const cp = await createCheckpoint(admin)
    await db.$transaction((tx) => recordAudit(tx, admin, { action: 'test.after' }))
    expect((await unsafeVerifyChainOfOrg(org.id)).ok).toBe(true)
    // Someone with write access edits event 2 and recomputes every later hash and the head: the links hold again.
    const s = prismaSql()
    await s.execute(sql`UPDATE "AuditEvent" SET "action" = ${'test.innocent'} WHERE "orgId" = ${org.id} AND "seq" = ${2}`)
    const all = await db.auditEvent.findMany({ where: { orgId: org.id }, orderBy: { seq: 'asc' } })
    let prev = ''
    for (const e of all) {
      const hash = auditHash(prev, e)
      await s.execute(sql`UPDATE "AuditEvent" SET "prevHash" = ${prev}, "hash" = ${hash} WHERE "id" = ${e.id}`)
      prev = hash
    }
    await s.execute(sql`UPDATE "Organization" SET "auditHash" = ${prev} WHERE "id" = ${org.id}`)
    const rewritten = await unsafeVerifyChainOfOrg(org.id)
    expect(rewritten).toMatchObject({
      ok: false,
      break: { seq: cp!.seq, reason: expect.stringMatching(/^the chain was rewritten: event \d+ does not match the head signed/) },
    })
    // Moving the checkpoint to the new head too breaks its signature: it cannot be re-signed without the key.
    const newHead = all.find((e) => e.seq === cp!.seq)!
    const head = (await db.auditEvent.findUniqueOrThrow({ where: { id: newHead.id } })).hash
    await s.execute(sql`UPDATE "AuditCheckpoint" SET "headHash" = ${head} WHERE "id" = ${cp!.id}`)
    expect(await unsafeVerifyChainOfOrg(org.id)).toMatchObject({
      ok: false,
      break: { seq: cp!.seq, reason: expect.stringMatching(/signature of the checkpoint .* does not verify/) },
    })
    // Deleting the checkpoint instead is seen through the audit row that recorded it.
    await s.execute(sql`DELETE FROM "AuditCheckpoint" WHERE "id" = ${cp!.id}`)
    expect(await unsafeVerifyChainOfOrg(org.id)).toMatchObject({ ok: false, break: { reason: `the checkpoint recorded by event ${cp!.seq + 1} was deleted` } })
    const c = await cli(org.slug)
    expect(c.code).toBe(1)
  })

  it('refuses an unknown organization with exit code 2', async () => {
    const c = await cli('no-such-org-slug')
    expect(c.code).toBe(2)
    expect(c.out).toContain('no organization with the slug "no-such-org-slug"')
  })
})
