import { beforeAll, describe, expect, it } from 'vitest'
import { listCampaigns } from '@/lib/campaigns/queries'
import { db } from '@/lib/db'
import { listNotifications } from '@/lib/notifications/queries'
import { getMyOverview } from '@/lib/ownership/queries'
import { addIdentity, createOrg, engine, uid } from './fixtures'

type Org = Awaited<ReturnType<typeof createOrg>>
const DAY = 86_400_000

// The list pages page on the server: each query returns one page and the count of the whole list, for its own organization only.
describe(`list pages (${engine})`, () => {
  let a: Org
  let b: Org
  beforeAll(async () => {
    a = await createOrg('Alpha')
    b = await createOrg('Beta')
    const campaign = (org: Org, name: string, daysAgo: number) =>
      db.campaign.create({
        data: {
          orgId: org.org.id,
          name,
          type: 'identity',
          scope: '{}',
          status: 'draft',
          dueAt: new Date(Date.now() + 30 * DAY),
          createdAt: new Date(Date.now() - daysAgo * DAY),
          createdById: org.people.governance.id,
        },
      })
    for (const [i, name] of ['first', 'second', 'third'].entries()) await campaign(a, name, 10 - i)
    await campaign(b, 'beta only', 1)
    for (let i = 0; i < 3; i++) await addIdentity(a.org.id, a.source.id, { name: `mine-${i}`, ownerId: a.people.member.id, riskScore: 50 - i })
    await addIdentity(a.org.id, a.source.id, { name: 'not-mine', ownerId: a.people.admin.id })
    await db.notification.createMany({
      data: Array.from({ length: 3 }, (_, i) => ({ orgId: a.org.id, userId: a.people.member.id, kind: 'ownership.assigned', title: `n${i}` })),
    })
    await db.notification.create({ data: { orgId: b.org.id, userId: b.people.member.id, kind: 'ownership.assigned', title: uid() } })
  })

  it('campaigns: newest first, one page at a time, the total of this organization', async () => {
    const page1 = await listCampaigns(a.ctx('auditor'), { page: 1, size: 2 })
    expect(page1.rows.map((c) => c.name)).toEqual(['third', 'second'])
    expect(page1.total).toBe(3)
    const page2 = await listCampaigns(a.ctx('auditor'), { page: 2, size: 2 })
    expect(page2).toMatchObject({ rows: [{ name: 'first' }], total: 3 })
    expect((await listCampaigns(b.ctx('admin'), { page: 1, size: 25 })).rows.map((c) => c.name)).toEqual(['beta only'])
  })

  it('my identities: the page size is the caller’s, the counts are the whole list', async () => {
    const page = await getMyOverview(a.ctx('member'), { page: 2, size: 2 })
    expect(page.identities.map((i) => i.name)).toEqual(['mine-2'])
    expect(page.total).toBe(3)
    expect((await getMyOverview(a.ctx('member'), 1)).identities).toHaveLength(3)
  })

  it('my identities: owned and backed-up merged in one order across pages, each identity once, deleted ones left out', async () => {
    const c = await createOrg('Merged')
    const me = c.people.member.id
    const other = c.people.admin.id
    const add = (name: string, riskScore: number, s: { ownerId?: string; backupOwnerId?: string; status?: string }) =>
      addIdentity(c.org.id, c.source.id, { name, riskScore, ownerId: s.ownerId, status: s.status }).then((i) =>
        s.backupOwnerId ? db.identity.update({ where: { id: i.id }, data: { backupOwnerId: s.backupOwnerId } }) : i,
      )
    await add('own-90', 90, { ownerId: me })
    await add('backup-80', 80, { ownerId: other, backupOwnerId: me })
    await add('both-70', 70, { ownerId: me, backupOwnerId: me })
    await add('backup-70-a', 70, { backupOwnerId: me })
    await add('own-10', 10, { ownerId: me })
    await add('own-deleted', 99, { ownerId: me, status: 'deleted' })
    await add('not-mine', 95, { ownerId: other })
    const names: string[] = []
    for (let page = 1; page <= 3; page++) names.push(...(await getMyOverview(c.ctx('member'), { page, size: 2 })).identities.map((i) => i.name))
    // riskScore descending, then name: the both-owner-and-backup identity once, as owned.
    expect(names).toEqual(['own-90', 'backup-80', 'backup-70-a', 'both-70', 'own-10'])
    expect(await getMyOverview(c.ctx('member'), 1)).toMatchObject({ total: 5, totalAtLeast: false, owned: 3, backup: 2, ownedAtLeast: false })
  })

  it('inbox: one page of the caller’s notifications, with the size asked for', async () => {
    const page = await listNotifications(a.ctx('member'), { filter: 'all', page: 2, size: 2 })
    expect(page).toMatchObject({ total: 3, pageSize: 2 })
    expect(page.rows).toHaveLength(1)
    expect((await listNotifications(a.ctx('member'), { filter: 'all', page: 1 })).pageSize).toBe(50)
  })
})
