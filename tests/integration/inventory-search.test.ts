import { beforeAll, describe, expect, it } from 'vitest'
import { db } from '@/lib/db'
import { COUNT_CAP, identityFacets, listIdentities } from '@/lib/inventory/queries'
import { identityListSchema } from '@/lib/inventory/schemas'
import { searchIdentityIds, SEARCH_ID_LIMIT } from '@/lib/inventory/search'
import { insertRows, newId } from '@/lib/sql/bulk'
import { prismaSql } from '@/lib/sql/prisma'
import { sql } from '@/lib/sql/sql'
import { addIdentity, createOrg, engine } from './fixtures'

// The text index and the maintained counts are kept by database triggers: every test writes the way the app does
// (Prisma, raw SQL) and reads through the inventory's own functions.
type Org = Awaited<ReturnType<typeof createOrg>>
const params = (p: Record<string, string> = {}) => identityListSchema.parse({ sort: 'name', dir: 'asc', ...p })

describe(`inventory text search and counts at scale (${engine})`, () => {
  let a: Org
  let b: Org
  let ledgerId: string
  const names = async (org: Org, p: Record<string, string>) => (await listIdentities(org.ctx('auditor'), params(p))).rows.map((r) => r.name)
  /** The exact count, straight from the table, to hold the maintained numbers against. */
  const exact = (org: Org, status?: string) => db.identity.count({ where: { orgId: org.org.id, ...(status ? { status } : { status: { not: 'deleted' } }) } })

  beforeAll(async () => {
    a = await createOrg('Search A')
    b = await createOrg('Search B')
    const ledger = await addIdentity(a.org.id, a.source.id, { name: 'svc-Payments-Ledger' })
    ledgerId = ledger.id
    await db.identity.update({ where: { id: ledger.id }, data: { externalId: 'arn:aws:iam::1234:role/LedgerWriter' } })
    const tagged = await addIdentity(a.org.id, a.source.id, { name: 'gha-deploy' })
    await db.identityTag.createMany({
      data: [
        { orgId: a.org.id, identityId: tagged.id, key: 'cost-center', value: 'Treasury-77' },
        { orgId: a.org.id, identityId: tagged.id, key: 'team', value: 'platform' },
      ],
    })
    await addIdentity(a.org.id, a.source.id, { name: 'db-backup' })
    await addIdentity(b.org.id, b.source.id, { name: 'svc-payments-globex' })
  })

  it('finds a substring of the name, the external id, a tag key or a tag value, in any case, in this organization only', async () => {
    expect(await names(a, { q: 'PAYMENTS-led' })).toEqual(['svc-Payments-Ledger'])
    expect(await names(a, { q: 'ledgerwriter' })).toEqual(['svc-Payments-Ledger'])
    expect(await names(a, { q: '1234:role' })).toEqual(['svc-Payments-Ledger'])
    expect(await names(a, { q: 'cost-cent' })).toEqual(['gha-deploy'])
    expect(await names(a, { q: 'treasury-7' })).toEqual(['gha-deploy'])
    expect(await names(a, { q: 'nothing-like-it' })).toEqual([])
    expect(await names(b, { q: 'payments' })).toEqual(['svc-payments-globex'])
    expect((await searchIdentityIds(a.org.id, 'payments'))?.ids).toHaveLength(1)
  })

  it('follows a match’s status (PostgreSQL keeps it beside the text), whichever way it changes', async () => {
    const retired = await addIdentity(a.org.id, a.source.id, { name: 'svc-payments-retired' })
    const found = async (status: string[] = []) => (await searchIdentityIds(a.org.id, 'payments', status as never))?.ids?.sort()
    expect(await found()).toEqual([ledgerId, retired.id].sort())
    await db.identity.update({ where: { id: retired.id }, data: { status: 'deleted' } })
    expect(await found()).toEqual([ledgerId])
    expect(await found(['deleted'])).toEqual([retired.id])
    await prismaSql().execute(sql`UPDATE "Identity" SET "status" = 'quarantined' WHERE "id" = ${retired.id}`)
    expect(await found(['quarantined'])).toEqual([retired.id])
    expect(await found(['active', 'deleted'])).toEqual([ledgerId])
    expect(await found()).toEqual([ledgerId, retired.id].sort())
    await db.identity.update({ where: { id: retired.id }, data: { status: 'deleted' } })
    expect((await searchIdentityIds(b.org.id, 'payments'))?.ids).toHaveLength(1)
  })

  it('follows renames, tag changes and deletions', async () => {
    const i = await addIdentity(a.org.id, a.source.id, { name: 'old-name-robot' })
    expect(await names(a, { q: 'name-rob' })).toEqual(['old-name-robot'])
    await db.identity.update({ where: { id: i.id }, data: { name: 'renamed-droid' } })
    expect(await names(a, { q: 'name-rob' })).toEqual([])
    expect(await names(a, { q: 'med-dro' })).toEqual(['renamed-droid'])

    await db.identityTag.create({ data: { orgId: a.org.id, identityId: i.id, key: 'owner', value: 'Quintessa' } })
    expect(await names(a, { q: 'quintess' })).toEqual(['renamed-droid'])
    await db.identityTag.updateMany({ where: { identityId: i.id, key: 'owner' }, data: { value: 'Zebulon' } })
    expect(await names(a, { q: 'quintess' })).toEqual([])
    expect(await names(a, { q: 'zebulo' })).toEqual(['renamed-droid'])
    await db.identityTag.deleteMany({ where: { identityId: i.id } })
    expect(await names(a, { q: 'zebulo' })).toEqual([])
    expect(await names(a, { q: 'med-dro' })).toEqual(['renamed-droid'])

    await db.identity.delete({ where: { id: i.id } })
    expect(await names(a, { q: 'med-dro' })).toEqual([])
    expect(await db.identitySearch.count({ where: { identityId: i.id } })).toBe(0)
  })

  it("counts a search from the text index under the filter's statuses, and facets it", async () => {
    const org = await createOrg('Search counts')
    await addIdentity(org.org.id, org.source.id, { name: 'ledger-sync-1', kind: 'bot' })
    await addIdentity(org.org.id, org.source.id, { name: 'ledger-sync-2', kind: 'api_key' })
    await addIdentity(org.org.id, org.source.id, { name: 'ledger-sync-3', kind: 'bot', status: 'deleted' })
    await addIdentity(org.org.id, org.source.id, { name: 'payroll-bot', kind: 'bot' })
    const list = (p: Record<string, string>) => listIdentities(org.ctx('auditor'), params(p))
    const live = await list({ q: 'ledger-sync' })
    expect([live.total, live.totalAtLeast, live.rows.map((r) => r.name)]).toEqual([2, false, ['ledger-sync-1', 'ledger-sync-2']])
    const gone = await list({ q: 'ledger-sync', status: 'deleted' })
    expect([gone.total, gone.rows.map((r) => r.name)]).toEqual([1, ['ledger-sync-3']])
    expect((await list({ q: 'ledger-sync', status: 'active,deleted' })).total).toBe(3)
    // Another filter beside the search is counted over the rows, not taken from the index.
    expect((await list({ q: 'ledger-sync', kind: 'bot' })).total).toBe(1)
    expect(await identityFacets(org.ctx('auditor'), params({ q: 'ledger-sync' }))).toEqual({
      kind: { bot: 1, api_key: 1 },
      environment: { production: 2 },
      status: { active: 2, deleted: 1 },
      source: { [org.source.id]: 2 },
    })
  })

  it('matches the start of the name when the search is shorter than three characters', async () => {
    expect(await names(a, { q: 'DB' })).toEqual(['db-backup'])
    expect(await names(a, { q: 'ck' })).toEqual([])
  })

  it('keeps the unfiltered total and the facets exact through inserts, status changes, moves and deletes', async () => {
    const org = await createOrg('Counts at scale')
    const other = await db.source.create({ data: { orgId: org.org.id, name: 'Second', type: 'csv' } })
    const x = await addIdentity(org.org.id, org.source.id, { kind: 'bot' })
    const y = await addIdentity(org.org.id, org.source.id, { kind: 'api_key', environment: 'staging' })
    await addIdentity(org.org.id, other.id, { status: 'deleted' })
    const total = async () => (await listIdentities(org.ctx('auditor'), params())).total
    expect(await total()).toBe(2)
    await db.identity.update({ where: { id: x.id }, data: { status: 'quarantined' } })
    await db.identity.update({ where: { id: y.id }, data: { sourceId: other.id, kind: 'bot' } })
    await prismaSql().execute(sqlUpdateEnv(y.id))
    const f = await identityFacets(org.ctx('auditor'), params())
    expect(f).toEqual({
      kind: { bot: 2 },
      environment: { production: 1, development: 1 },
      status: { quarantined: 1, active: 1, deleted: 1 },
      source: { [org.source.id]: 1, [other.id]: 1 },
    })
    expect(await total()).toBe(await exact(org))
    expect((await listIdentities(org.ctx('auditor'), params({ status: 'deleted' }))).total).toBe(await exact(org, 'deleted'))
    await db.identity.delete({ where: { id: x.id } })
    expect(await total()).toBe(1)
    await db.source.delete({ where: { id: other.id } })
    expect(await total()).toBe(0)
  })

  it(`counts a filtered view up to ${COUNT_CAP.toLocaleString('en-US')} and says "more than" beyond, paging on without the total`, async () => {
    const org = await createOrg('Many')
    const now = new Date()
    const rows = Array.from({ length: COUNT_CAP + 40 }, (_, k) => [
      newId(),
      org.org.id,
      org.source.id,
      `ext-${k}`,
      `bulk-agent-${String(k).padStart(5, '0')}`,
      `bulk-agent-${k}`,
      'bot',
      now,
      now,
      k % 2 === 0,
    ])
    await insertRows(
      prismaSql(),
      'Identity',
      [
        ['id', 'text'],
        ['orgId', 'text'],
        ['sourceId', 'text'],
        ['externalId', 'text'],
        ['name', 'text'],
        ['searchText', 'text'],
        ['kind', 'text'],
        ['createdAt', 'date'],
        ['updatedAt', 'date'],
        ['privileged', 'bool'],
      ],
      rows,
    )
    const all = await listIdentities(org.ctx('auditor'), params())
    expect([all.total, all.totalAtLeast]).toEqual([COUNT_CAP + 40, false])
    const text = await listIdentities(org.ctx('auditor'), params({ q: 'agent' }))
    expect([text.total, text.totalAtLeast, text.rows.length]).toEqual([COUNT_CAP + 1, true, 50])
    expect(await searchIdentityIds(org.org.id, 'agent')).toEqual({ ids: null, more: true })
    expect(SEARCH_ID_LIMIT).toBeLessThanOrEqual(COUNT_CAP)
    // A page past the cap counts as far as it reads: the last page knows it is the last.
    const deep = await listIdentities(org.ctx('auditor'), params({ q: 'agent', page: '201' }))
    expect(deep.rows).toHaveLength(40)
    expect(deep.total).toBe(COUNT_CAP + 40)
    expect(deep.totalAtLeast).toBe(false)
    const half = await listIdentities(org.ctx('auditor'), params({ privileged: 'yes' }))
    expect([half.total, half.totalAtLeast]).toEqual([(COUNT_CAP + 40) / 2, false])
    expect(await identityFacets(org.ctx('auditor'), params({ privileged: 'yes' }))).toMatchObject({ kind: { bot: (COUNT_CAP + 40) / 2 } })
    expect(await identityFacets(org.ctx('auditor'), params({ owner: 'unowned' }))).toBeNull()
    const few = await listIdentities(org.ctx('auditor'), params({ q: 'agent-0001' }))
    expect(few.rows.map((r) => r.name)).toEqual(Array.from({ length: 10 }, (_, k) => `bulk-agent-0001${k}`))
    expect(await identityFacets(org.ctx('auditor'), params({ q: 'agent-0001' }))).toMatchObject({ kind: { bot: 10 } })
  })
})

function sqlUpdateEnv(id: string) {
  // A raw statement (as sync and the bulk jobs write) moves the identity to another environment.
  return sql`UPDATE "Identity" SET "environment" = 'development' WHERE "id" = ${id}`
}
