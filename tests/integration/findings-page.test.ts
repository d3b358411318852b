import { beforeAll, describe, expect, it } from 'vitest'
import { db } from '@/lib/db'
import { ConflictError, ForbiddenError, NotFoundError } from '@/lib/errors'
import { acceptFinding, revokeAcceptance } from '@/lib/findings/mutations'
import { FINDING_COUNT_CAP, listFindings } from '@/lib/findings/queries'
import { recomputeFindingsForOrg } from '@/lib/findings/recompute'
import { findingListSchema } from '@/lib/findings/schemas'
import { SEVERITY_RANK, type Severity } from '@/lib/findings/rules'
import { prismaSql } from '@/lib/sql/prisma'
import { sql } from '@/lib/sql/sql'
import { addIdentity, createOrg, engine, uid } from './fixtures'

type Org = Awaited<ReturnType<typeof createOrg>>
const list = (org: Org, p: Record<string, string> = {}) => listFindings(org.ctx('governance'), findingListSchema.parse(p))
const inDays = (n: number) => new Date(Date.now() + n * 86_400_000).toISOString().slice(0, 10)

async function finding(org: Org, identityId: string, severity: Severity, rule = uid('rule-')) {
  return db.finding.create({
    data: { orgId: org.org.id, identityId, rule, owaspCode: 'NHI1', severity, severityRank: SEVERITY_RANK[severity], title: `${severity} thing` },
  })
}

describe(`findings page (${engine})`, () => {
  let a: Org
  let b: Org
  const ids: Record<string, string> = {}
  beforeAll(async () => {
    a = await createOrg('Findings page')
    b = await createOrg('Other')
    const staging = await db.source.create({ data: { orgId: a.org.id, name: 'Staging k8s', type: 'kubernetes' } })
    // Severity and risk interleave so that sorting within one page would differ from sorting across pages.
    const specs = [
      { name: 'low-risky', risk: 90, severity: 'low' as const },
      { name: 'crit-calm', risk: 10, severity: 'critical' as const },
      { name: 'high-risky', risk: 80, severity: 'high' as const },
      { name: 'crit-risky', risk: 95, severity: 'critical' as const },
      { name: 'medium-mid', risk: 50, severity: 'medium' as const },
      { name: 'high-calm', risk: 5, severity: 'high' as const },
    ]
    for (const [i, s] of specs.entries()) {
      const ident = await addIdentity(a.org.id, i % 2 ? staging.id : a.source.id, {
        name: s.name,
        riskScore: s.risk,
        environment: i % 2 ? 'staging' : 'production',
        ownerId: i < 2 ? a.people.member.id : null,
      })
      ids[s.name] = ident.id
      ids[`${s.name}:finding`] = (await finding(a, ident.id, s.severity)).id
    }
    const foreign = await addIdentity(b.org.id, b.source.id, { name: 'foreign' })
    ids.foreign = (await finding(b, foreign.id, 'critical')).id
    ids.staging = staging.id
  })

  it('follows the identity’s risk as it changes (the copy on each finding is kept by the database)', async () => {
    const c = await createOrg('Risk follows')
    const calm = await addIdentity(c.org.id, c.source.id, { name: 'was-calm', riskScore: 10 })
    const risky = await addIdentity(c.org.id, c.source.id, { name: 'was-risky', riskScore: 90 })
    await finding(c, calm.id, 'high')
    await finding(c, risky.id, 'high')
    expect((await list(c)).rows.map((r) => r.identity.name)).toEqual(['was-risky', 'was-calm'])
    // Any writer of riskScore (the findings engine, a raw statement, Prisma) moves the finding in the order.
    await db.identity.update({ where: { id: calm.id }, data: { riskScore: 99 } })
    await db.identity.update({ where: { id: risky.id }, data: { riskScore: 1 } })
    expect((await list(c)).rows.map((r) => r.identity.name)).toEqual(['was-calm', 'was-risky'])
    expect((await list(c, { dir: 'desc' })).rows.map((r) => r.identity.name)).toEqual(['was-risky', 'was-calm'])
    const copies = await db.finding.findMany({ where: { orgId: c.org.id }, select: { identityId: true, identityRisk: true } })
    expect(Object.fromEntries(copies.map((f) => [f.identityId, f.identityRisk]))).toEqual({ [calm.id]: 99, [risky.id]: 1 })
    // A finding opened later takes the identity's current risk.
    const later = await finding(c, calm.id, 'low', 'later-rule')
    expect((await db.finding.findUniqueOrThrow({ where: { id: later.id } })).identityRisk).toBe(99)
  })

  it('sorts by severity, then the identity’s risk, across pages', async () => {
    const order = ['crit-risky', 'crit-calm', 'high-risky', 'high-calm', 'medium-mid', 'low-risky']
    const all = await list(a)
    expect(all.rows.map((r) => r.identity.name)).toEqual(order)
    expect(all.total).toBe(6)
    const page2 = await list(a, { size: '25', page: '1' })
    expect(page2.rows[0].identity.name).toBe('crit-risky')
    const reversed = await list(a, { dir: 'desc' })
    expect(reversed.rows.map((r) => r.identity.name)).toEqual([...order].reverse())
    expect((await list(a)).rows.some((r) => r.identity.name === 'foreign')).toBe(false)
  })

  it('filters by severity, owner, environment, source and identity', async () => {
    expect((await list(a, { severity: 'high' })).rows.map((r) => r.identity.name).sort()).toEqual(['high-calm', 'high-risky'])
    expect((await list(a, { owner: a.people.member.id })).rows.map((r) => r.identity.name).sort()).toEqual(['crit-calm', 'low-risky'])
    expect((await list(a, { owner: 'unowned' })).total).toBe(4)
    expect((await list(a, { env: 'staging' })).rows.map((r) => r.identity.name).sort()).toEqual(['crit-calm', 'crit-risky', 'high-calm'])
    expect((await list(a, { source: ids.staging })).total).toBe(3)
    expect((await list(a, { identity: ids['medium-mid'] })).rows.map((r) => r.identity.name)).toEqual(['medium-mid'])
    expect((await list(a, { q: 'RISKY' })).total).toBe(3)
    // The per-code counts follow the other filters.
    expect((await list(a, { severity: 'critical' })).byCode).toEqual({ NHI1: 2 })
  })

  it('counts from the cells the database keeps, through every kind of write, equal to counting the findings', async () => {
    const c = await createOrg('Kept counts')
    const one = await addIdentity(c.org.id, c.source.id, { name: 'kept-one', riskScore: 20 })
    const two = await addIdentity(c.org.id, c.source.id, { name: 'kept-two', riskScore: 30 })
    const f1 = await finding(c, one.id, 'high')
    await finding(c, one.id, 'low')
    await finding(c, two.id, 'critical')
    // Prisma updates (status, code), a raw multi-row update, a delete, and the cascade of an identity's deletion.
    await db.finding.update({ where: { id: f1.id }, data: { status: 'accepted' } })
    await db.finding.updateMany({ where: { orgId: c.org.id, severity: 'low' }, data: { owaspCode: 'NHI5' } })
    await prismaSql().execute(sql`UPDATE "Finding" SET "status" = 'resolved' WHERE "orgId" = ${c.org.id} AND "severity" = 'critical'`)
    await prismaSql().execute(sql`UPDATE "Finding" SET "status" = 'open' WHERE "orgId" = ${c.org.id} AND "severity" = 'critical'`)
    await finding(c, two.id, 'medium')
    await db.finding.deleteMany({ where: { orgId: c.org.id, severity: 'medium' } })
    const gone = await addIdentity(c.org.id, c.source.id, { name: 'kept-gone' })
    await finding(c, gone.id, 'high')
    await db.identity.delete({ where: { id: gone.id } })
    const counted = await db.finding.groupBy({ by: ['status', 'owaspCode'], where: { orgId: c.org.id }, _count: { _all: true } })
    const cells = await db.findingCount.groupBy({ by: ['status', 'owaspCode'], where: { orgId: c.org.id, n: { not: 0 } }, _sum: { n: true } })
    const asMap = (rows: { status: string; owaspCode: string; n: number | null }[]) => Object.fromEntries(rows.map((r) => [`${r.status}/${r.owaspCode}`, r.n]))
    expect(asMap(cells.map((r) => ({ ...r, n: r._sum.n })))).toEqual(asMap(counted.map((r) => ({ ...r, n: r._count._all }))))
    expect(await list(c)).toMatchObject({ total: 2, totalAtLeast: false, byCode: { NHI1: 1, NHI5: 1 } })
    expect(await list(c, { status: 'accepted' })).toMatchObject({ total: 1, byCode: { NHI1: 1 } })
    expect((await list(c, { code: 'NHI5' })).total).toBe(1)
  })

  it('counts findings filtered by their identities up to a cap, then says "more than"', async () => {
    const c = await createOrg('Capped counts')
    const ident = await addIdentity(c.org.id, c.source.id, { name: 'many-findings', environment: 'production' })
    await db.finding.createMany({
      data: Array.from({ length: FINDING_COUNT_CAP + 1 }, (_, i) => ({
        orgId: c.org.id,
        identityId: ident.id,
        rule: `r${i}`,
        owaspCode: i % 2 ? 'NHI1' : 'NHI5',
        severity: 'low',
        severityRank: SEVERITY_RANK.low,
        title: 'many',
      })),
    })
    expect(await list(c, { env: 'production' })).toMatchObject({ total: FINDING_COUNT_CAP + 1, totalAtLeast: true, byCode: null })
    expect(await list(c, { env: 'production', code: 'NHI5' })).toMatchObject({ total: Math.ceil((FINDING_COUNT_CAP + 1) / 2), totalAtLeast: false })
    expect(await list(c, { env: 'staging' })).toMatchObject({ total: 0, totalAtLeast: false, byCode: {} })
    // Without an identity filter the kept cells answer exactly.
    expect(await list(c)).toMatchObject({ total: FINDING_COUNT_CAP + 1, totalAtLeast: false })
  })

  it('shows who accepted a risk, when, why and until when; the acceptance can be revoked, audited', async () => {
    const id = ids['high-risky:finding']
    await acceptFinding(a.ctx('governance'), { orgSlug: a.org.slug, findingId: id, until: inDays(30), reason: 'Compensating control in place' })
    const accepted = await list(a, { status: 'accepted' })
    expect(accepted.rows).toHaveLength(1)
    expect(accepted.rows[0]).toMatchObject({ acceptedBy: a.people.governance.name, acceptedReason: 'Compensating control in place' })
    expect(accepted.rows[0].acceptedAt).toBeInstanceOf(Date)
    expect(accepted.rows[0].acceptedUntil?.toISOString().slice(0, 10)).toBe(inDays(30))

    await expect(revokeAcceptance(a.ctx('member'), { orgSlug: a.org.slug, findingId: id, reason: 'no longer true' })).rejects.toBeInstanceOf(ForbiddenError)
    await expect(revokeAcceptance(a.ctx('admin'), { orgSlug: a.org.slug, findingId: ids.foreign, reason: 'not ours' })).rejects.toBeInstanceOf(NotFoundError)
    await revokeAcceptance(a.ctx('admin'), { orgSlug: a.org.slug, findingId: id, reason: 'The control was removed' })
    expect(await db.finding.findUniqueOrThrow({ where: { id } })).toMatchObject({
      status: 'open',
      acceptedById: null,
      acceptedUntil: null,
      acceptedReason: null,
    })
    const [row] = await db.auditEvent.findMany({ where: { orgId: a.org.id, action: 'finding.accept-revoked' } })
    expect(row).toMatchObject({ actorId: a.people.admin.id, justification: 'The control was removed', targetId: ids['high-risky'] })
    expect(JSON.parse(row.details).was).toMatchObject({ acceptedById: a.people.governance.id, reason: 'Compensating control in place' })
    await expect(revokeAcceptance(a.ctx('admin'), { orgSlug: a.org.slug, findingId: id, reason: 'twice' })).rejects.toBeInstanceOf(ConflictError)
  })

  it('the engine writes each finding’s rank with its severity', async () => {
    const o = await createOrg('Ranks')
    await addIdentity(o.org.id, o.source.id, { name: 'dormant-unowned', ownerId: null, lastUsedDaysAgo: 400, privileged: true })
    await recomputeFindingsForOrg(o.ctx('admin'))
    const rows = await db.finding.findMany({ where: { orgId: o.org.id }, select: { severity: true, severityRank: true } })
    expect(rows.length).toBeGreaterThan(0)
    for (const r of rows) expect(r.severityRank).toBe(SEVERITY_RANK[r.severity as Severity])
  })
})
