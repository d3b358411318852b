import { describe, expect, it } from 'vitest'
import { recordAudit, recordAuditMany, recordDenied } from '@/lib/audit/record'
import { env } from '@/lib/env'
import { AUDIT_COUNT_CAP, listAuditEvents, verifyAuditChain } from '@/lib/audit/queries'
import { auditListSchema } from '@/lib/audit/schemas'
import { db } from '@/lib/db'
import { ForbiddenError } from '@/lib/errors'
import { addIdentity, createOrg, engine } from './fixtures'

describe(`audit (${engine})`, () => {
  it('writes the change and its audit row in one transaction, chained', async () => {
    const { org, ctx, source } = await createOrg()
    const identity = await addIdentity(org.id, source.id)
    const admin = ctx('admin')
    await db.$transaction(async (tx) => {
      await tx.identity.update({ where: { id: identity.id, orgId: org.id }, data: { description: 'payments ledger' } })
      await recordAudit(tx, admin, { action: 'identity.update', targetType: 'identity', targetId: identity.id, justification: 'ticket SEC-1' })
    })
    await db.$transaction((tx) => recordAudit(tx, admin, { action: 'identity.update', targetType: 'identity', targetId: identity.id }))
    const events = await db.auditEvent.findMany({ where: { orgId: org.id }, orderBy: { seq: 'asc' } })
    expect(events.map((e) => e.seq)).toEqual([1, 2])
    expect(events[0]).toMatchObject({ actorId: admin.user.id, actorLabel: admin.user.email, outcome: 'success', justification: 'ticket SEC-1', prevHash: '' })
    expect(events[1].prevHash).toBe(events[0].hash)
    expect(await verifyAuditChain(admin)).toEqual({ ok: true, checked: 2 })
  })

  it('rolls the change back when its audit row cannot be written', async () => {
    const { org, ctx, source } = await createOrg()
    const identity = await addIdentity(org.id, source.id)
    const broken = { ...ctx('admin'), org: { ...ctx('admin').org, id: 'no-such-org' } }
    await expect(
      db.$transaction(async (tx) => {
        await tx.identity.update({ where: { id: identity.id }, data: { description: 'should not stick' } })
        await recordAudit(tx, broken, { action: 'identity.update', targetId: identity.id })
      }),
    ).rejects.toThrow()
    const after = await db.identity.findUniqueOrThrow({ where: { id: identity.id } })
    expect(after.description).toBeNull()
    expect(await db.auditEvent.count({ where: { orgId: org.id } })).toBe(0)
  })

  it('detects a tampered event and a deleted newest event', async () => {
    const { org, ctx } = await createOrg()
    const admin = ctx('admin')
    for (let i = 0; i < 3; i++) await db.$transaction((tx) => recordAudit(tx, admin, { action: `test.step${i}` }))
    await db.auditEvent.updateMany({ where: { orgId: org.id, seq: 2 }, data: { action: 'test.forged' } })
    expect(await verifyAuditChain(admin)).toMatchObject({ ok: false, break: { seq: 2, reason: 'event content was altered' } })
    await db.auditEvent.updateMany({ where: { orgId: org.id, seq: 2 }, data: { action: 'test.step1' } })
    expect((await verifyAuditChain(admin)).ok).toBe(true)
    await db.auditEvent.deleteMany({ where: { orgId: org.id, seq: 3 } })
    expect(await verifyAuditChain(admin)).toMatchObject({ ok: false, break: { seq: 3 } })
  })

  it('serializes concurrent writers of one chain', async () => {
    const { ctx } = await createOrg()
    const admin = ctx('admin')
    const results = await Promise.allSettled(
      Array.from({ length: 8 }, (_, i) => db.$transaction((tx) => recordAudit(tx, admin, { action: `test.concurrent${i}` }))),
    )
    const ok = results.filter((r) => r.status === 'fulfilled').length
    expect(ok).toBeGreaterThan(0)
    expect(await verifyAuditChain(admin)).toEqual({ ok: true, checked: ok })
  })

  it('lists only the organization’s own events, and refuses members', async () => {
    const a = await createOrg()
    const b = await createOrg()
    await db.$transaction((tx) => recordAudit(tx, a.ctx('admin'), { action: 'test.a' }))
    await db.$transaction((tx) => recordAudit(tx, b.ctx('admin'), { action: 'test.b' }))
    const list = await listAuditEvents(a.ctx('auditor'), auditListSchema.parse({}))
    expect(list.rows.map((r) => r.action)).toEqual(['test.a'])
    await expect(listAuditEvents(a.ctx('member'), auditListSchema.parse({}))).rejects.toBeInstanceOf(ForbiddenError)
  })

  it('pages the whole log by seq, lists its actions, and counts a filtered log up to the cap', async () => {
    const a = await createOrg()
    const admin = a.ctx('admin')
    const actions = ['review.decide', 'identity.update', 'review.delegate', 'identity.update', 'review.decide', 'settings.update', 'identity.update']
    await db.$transaction((tx) =>
      recordAuditMany(
        tx,
        admin,
        actions.map((action) => ({ action })),
      ),
    )
    const list = (q: Record<string, string>) => listAuditEvents(a.ctx('auditor'), auditListSchema.parse({ size: '25', ...q }))
    const all = await list({})
    expect(all).toMatchObject({ total: 7, totalAtLeast: false, actions: ['identity.update', 'review.decide', 'review.delegate', 'settings.update'] })
    expect(all.rows.map((r) => r.seq)).toEqual([7, 6, 5, 4, 3, 2, 1])
    // Pages of 3: page 2 ends three below the newest, page 3 holds what is left.
    const page2 = await listAuditEvents(a.ctx('auditor'), { ...auditListSchema.parse({}), size: 3, page: 2 })
    expect(page2.rows.map((r) => r.seq)).toEqual([4, 3, 2])
    expect((await listAuditEvents(a.ctx('auditor'), { ...auditListSchema.parse({}), size: 3, page: 3 })).rows.map((r) => r.seq)).toEqual([1])
    // An action prefix covers every action it starts, newest first; an exact one its own.
    expect((await list({ action: 'review' })).rows.map((r) => [r.seq, r.action])).toEqual([
      [5, 'review.decide'],
      [3, 'review.delegate'],
      [1, 'review.decide'],
    ])
    expect(await list({ action: 'review.decide' })).toMatchObject({ total: 2, totalAtLeast: false })
    expect(await list({ action: 'nothing' })).toMatchObject({ rows: [], total: 0 })
    // The actor filter: a part of the label, any case.
    const member = a.ctx('member')
    expect((await list({ actor: admin.user.email.slice(2, 9).toUpperCase() })).total).toBe(7)
    expect(await list({ actor: 'nobody-at-all' })).toMatchObject({ rows: [], total: 0 })
    await recordDenied(member, { action: 'permission.audit:read' })
    expect((await list({ actor: member.user.email })).rows.map((r) => r.outcome)).toEqual(['denied'])
    expect((await list({ outcome: 'denied' })).rows.map((r) => [r.seq, r.action, r.outcome])).toEqual([[8, 'permission.audit:read', 'denied']])
    // Above the cap a filtered log says "more than", without counting every event.
    await db.$transaction((tx) =>
      recordAuditMany(
        tx,
        admin,
        Array.from({ length: AUDIT_COUNT_CAP + 1 }, () => ({ action: 'bulk.test' })),
      ),
    )
    expect(await list({ action: 'bulk' })).toMatchObject({ total: AUDIT_COUNT_CAP + 1, totalAtLeast: true })
    expect(await list({})).toMatchObject({ total: AUDIT_COUNT_CAP + 9, totalAtLeast: false })
    expect((await list({ page: '2' })).rows[0].seq).toBe(AUDIT_COUNT_CAP + 9 - 25)
  })

  it('records refused attempts, but one actor cannot flood the log', async () => {
    const a = await createOrg()
    const member = a.ctx('member')
    const DENIED_PER_MINUTE = env().auditDeniedPerMinute
    for (let i = 0; i < DENIED_PER_MINUTE + 10; i++) await recordDenied(member, { action: 'permission.review:decide', targetType: 'item', targetId: `x${i}` })
    const rows = await db.auditEvent.findMany({ where: { orgId: a.org.id, actorId: member.user.id }, orderBy: { seq: 'asc' } })
    expect(rows).toHaveLength(DENIED_PER_MINUTE + 1)
    expect(rows.every((r) => r.outcome === 'denied')).toBe(true)
    expect(rows.at(-1)?.action).toBe('audit.denied-suppressed')
    // Another person's refusals are still recorded, and the chain stays whole.
    await recordDenied(a.ctx('auditor'), { action: 'permission.identity:remediate' })
    expect(await db.auditEvent.count({ where: { orgId: a.org.id, actorId: a.people.auditor.id } })).toBe(1)
    expect((await verifyAuditChain(a.ctx('admin'))).ok).toBe(true)
  })
})
