import { beforeAll, describe, expect, it } from 'vitest'
import { db } from '@/lib/db'
import { prismaSql } from '@/lib/sql/prisma'
import { recomputeFindingsForOrg } from '@/lib/findings/recompute'
import { listIdentities } from '@/lib/inventory/queries'
import { identityListSchema } from '@/lib/inventory/schemas'
import { listMembers } from '@/lib/members/queries'
import { computeOrgMetrics } from '@/lib/metrics/compute'
import { getMyOverview } from '@/lib/ownership/queries'
import { parseOrgSettings } from '@/lib/settings/schemas'
import { addIdentity, createOrg, engine, uid } from './fixtures'

// Every number a page shows counts what the list it links to shows.
const DAY = 86_400_000
type Org = Awaited<ReturnType<typeof createOrg>>

describe(`numbers agree with the lists they open (${engine})`, () => {
  let a: Org
  const count = async (org: Org, f: Record<string, string>, role: 'auditor' | 'member' = 'auditor') =>
    (await listIdentities(org.ctx(role), identityListSchema.parse(f))).total

  beforeAll(async () => {
    a = await createOrg('Counts A')
    const member = a.people.member.id
    await addIdentity(a.org.id, a.source.id, { ownerId: member })
    await addIdentity(a.org.id, a.source.id, { ownerId: member, status: 'disabled' })
    await addIdentity(a.org.id, a.source.id, { ownerId: member, status: 'deleted' })
    const backed = await addIdentity(a.org.id, a.source.id, { ownerId: a.people.admin.id })
    await db.identity.update({ where: { id: backed.id }, data: { backupOwnerId: member } })
    // Fourteen sources: the chart draws ten and lists the rest, every one with its count.
    for (let n = 0; n < 13; n++) {
      const s = await db.source.create({ data: { orgId: a.org.id, name: `Source ${n}`, type: 'csv' } })
      for (let k = 0; k <= n % 3; k++) {
        const i = await addIdentity(a.org.id, s.id, { ownerId: null })
        if (n === 0 && k === 0) {
          await db.credential.create({
            data: {
              orgId: a.org.id,
              identityId: i.id,
              kind: 'token',
              fingerprint: uid('fp'),
              createdAt: new Date(Date.now() - 400 * DAY),
              lastUsedAt: new Date(),
            },
          })
          await db.credential.create({
            data: {
              orgId: a.org.id,
              identityId: i.id,
              kind: 'token',
              fingerprint: uid('fp'),
              createdAt: new Date(Date.now() - 300 * DAY),
              lastUsedAt: new Date(),
            },
          })
        }
      }
    }
    await recomputeFindingsForOrg(a.ctx('admin'))
  })

  it('Settings "owns", My identities and the Mine tab count the same identities (deleted ones nowhere)', async () => {
    const members = await listMembers(a.ctx('admin'))
    const owned = members.find((m) => m.user.id === a.people.member.id)!.owned
    const my = await getMyOverview(a.ctx('member'), 1)
    expect(owned).toBe(2)
    expect(owned).toBe(await count(a, { owner: a.people.member.id }))
    expect(my.owned).toBe(owned)
    expect(my.total).toBe(await count(a, { owner: 'me' }, 'member'))
    expect(my.total).toBe(my.owned + my.backup)
    expect(my.backup).toBe(1)
  })

  it('the rotation card counts secrets and says how many identities its link opens; by source adds up', async () => {
    const m = await computeOrgMetrics(prismaSql(), a.org.id, parseOrgSettings('{}'))
    expect(m.credentialsActive).toBe(2)
    expect(m.credentialsCompliant).toBe(0)
    expect(m.oldSecretIdentities).toBe(1)
    expect(m.oldSecretIdentities).toBe(await count(a, { finding: 'old-secret' }))
    expect(Object.keys(m.bySource)).toHaveLength(14)
    for (const [sourceId, n] of Object.entries(m.bySource)) expect([sourceId, await count(a, { source: sourceId })]).toEqual([sourceId, n])
    expect(Object.values(m.bySource).reduce((x, y) => x + y, 0)).toBe(m.total)
    expect(m.total).toBe(await count(a, {}))
  })
})
