import { describe, expect, it } from 'vitest'
import { listAuditEvents } from '@/lib/audit/queries'
import { auditListSchema } from '@/lib/audit/schemas'
import { db } from '@/lib/db'
import { getIdentityOrThrow } from '@/lib/inventory/queries'
import { drainJobs } from '@/lib/jobs/worker'
import { assignOwner, startBulkAssignByFilter } from '@/lib/ownership/mutations'
import { addIdentity, createOrg, engine, uid } from './fixtures'

// Bulk ownership changes in the audit log read as names, not ids (the ids stay in the row for evidence).
describe(`audit rows of bulk assignments name people and teams (${engine})`, () => {
  it('by selection and by filter: the target and the change are in words', async () => {
    const a = await createOrg('Audit names')
    const team = await db.team.create({ data: { orgId: a.org.id, slug: uid('t'), name: 'Payments' } })
    const x = await addIdentity(a.org.id, a.source.id, { name: uid('sel-') })
    const y = await addIdentity(a.org.id, a.source.id, { name: uid('sel-') })
    await assignOwner(a.ctx('governance'), { identityIds: [x.id, y.id], fields: { ownerId: a.people.member.id, teamId: team.id } })

    const prefix = uid('flt')
    for (let n = 0; n < 3; n++) await addIdentity(a.org.id, a.source.id, { name: `${prefix}-${n}` })
    await startBulkAssignByFilter(a.ctx('governance'), {
      filter: { q: prefix, source: a.source.id, owner: 'unowned' },
      fields: { ownerId: a.people.admin.id },
      requestId: uid('r'),
    })
    await drainJobs()

    const { rows } = await listAuditEvents(a.ctx('auditor'), auditListSchema.parse({ action: 'identity.' }))
    const of = (action: string) => rows.filter((r) => r.action === action)
    const [selection] = of('identity.bulk-assign-owner').filter((r) => r.targetType === 'identity')
    expect(selection).toMatchObject({ targetLabel: '2 selected identities', change: `owner → ${a.people.member.name} · team → Payments` })
    const [request] = of('identity.bulk-assign-owner.request')
    expect(request.targetLabel).toBe(`3 identities matching name contains “${prefix}” · source: AWS test · no owner`)
    expect(request.change).toBe(`owner → ${a.people.admin.name}`)
    const [done] = of('identity.bulk-assign-owner').filter((r) => r.targetType === 'job')
    expect(done.targetLabel).toBe(request.targetLabel)
    const perIdentity = of('identity.assign-owner').find((r) => r.targetId === x.id)!
    expect(perIdentity.change).toBe(`owner: nobody → ${a.people.member.name} · team: nobody → Payments`)
    for (const r of rows) expect(`${r.targetLabel ?? ''} ${r.change ?? ''}`).not.toMatch(new RegExp(`${a.people.member.id}|${a.people.admin.id}|${team.id}`))

    // The identity's own history says the same.
    const page = await getIdentityOrThrow(a.ctx('auditor'), x.id)
    expect(page.audit?.find((e) => e.action === 'identity.assign-owner')?.change).toBe(perIdentity.change)
  })
})
