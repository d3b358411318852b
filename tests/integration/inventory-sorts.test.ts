import { describe, expect, it } from 'vitest'
import { listIdentities } from '@/lib/inventory/queries'
import { identityListSchema } from '@/lib/inventory/schemas'
import { db } from '@/lib/db'
import { addIdentity, createOrg, engine } from './fixtures'

describe(`inventory sorts on a column that may be empty (${engine})`, () => {
  it('pages through the rows with a value in order, then the empty ones by id, across the boundary', async () => {
    const { org, ctx, source } = await createOrg()
    const made: Awaited<ReturnType<typeof addIdentity>>[] = []
    for (const [used, secret] of [
      [3, null],
      [null, 30],
      [1, 400],
      [null, null],
      [2, 90],
      [null, 10],
    ] as const) {
      made.push(await addIdentity(org.id, source.id, { lastUsedDaysAgo: used, secretAgeDays: secret }))
    }
    const ids = (list: typeof made) => list.map((i) => i.id)
    const byId = (a: { id: string }, b: { id: string }) => (a.id < b.id ? -1 : 1)
    for (const sort of ['lastUsedAt', 'oldestSecretAt'] as const) {
      for (const dir of ['asc', 'desc'] as const) {
        const valued = made
          .filter((i) => i[sort] !== null)
          .sort((a, b) => (a[sort]!.getTime() - b[sort]!.getTime()) * (dir === 'asc' ? 1 : -1) || (a.id < b.id ? -1 : 1) * (dir === 'asc' ? 1 : -1))
        const expected = ids([...valued, ...made.filter((i) => i[sort] === null).sort(byId)])
        const pages: string[] = []
        for (let page = 1; page <= 4; page++) {
          const { rows, total } = await listIdentities(ctx('governance'), { ...identityListSchema.parse({ sort, dir }), page, size: 2 } as never)
          expect(total).toBe(6)
          pages.push(...rows.map((r) => r.id))
        }
        expect(pages, `${sort} ${dir}`).toEqual(expected)
      }
    }
  })

  it('reads a deep page (past 1,000 rows) from the ids first and returns the same rows in the same order, both directions', async () => {
    const { org, ctx, source } = await createOrg()
    const now = new Date()
    const kinds = ['bot', 'api_key', 'service_account']
    await db.identity.createMany({
      data: Array.from({ length: 1_010 }, (_, k) => ({
        orgId: org.id,
        sourceId: source.id,
        externalId: `deep-${k}`,
        name: `deep-${String((k * 7919) % 1_010).padStart(4, '0')}`,
        searchText: `deep-${k}`,
        kind: kinds[k % 3],
        riskScore: k % 17,
        createdAt: now,
      })),
    })
    const all = await db.identity.findMany({ where: { orgId: org.id }, select: { id: true, name: true, kind: true, riskScore: true } })
    const cmp = (a: string | number, b: string | number) => (a < b ? -1 : a > b ? 1 : 0)
    const cases = [
      { sort: 'name', key: (i: (typeof all)[number]) => [i.name, i.id] },
      { sort: 'kind', key: (i: (typeof all)[number]) => [i.kind, i.name, i.id] },
      { sort: 'riskScore', key: (i: (typeof all)[number]) => [i.riskScore, i.id] },
    ] as const
    for (const c of cases) {
      for (const dir of ['asc', 'desc'] as const) {
        const sign = dir === 'asc' ? 1 : -1
        const expected = [...all]
          .sort((a, b) => {
            const ka = c.key(a)
            const kb = c.key(b)
            for (let i = 0; i < ka.length; i++) if (cmp(ka[i], kb[i])) return cmp(ka[i], kb[i]) * sign
            return 0
          })
          .map((i) => i.id)
        const page = async (n: number) =>
          (await listIdentities(ctx('governance'), { ...identityListSchema.parse({ sort: c.sort, dir }), page: n, size: 100 } as never)).rows.map((r) => r.id)
        expect([...(await page(10)), ...(await page(11))], `${c.sort} ${dir}`).toEqual(expected.slice(900))
        expect(await page(2), `${c.sort} ${dir}`).toEqual(expected.slice(100, 200))
      }
    }
  })
})
