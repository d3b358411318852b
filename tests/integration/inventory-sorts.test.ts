import { describe, expect, it } from 'vitest'
import { listIdentities } from '@/lib/inventory/queries'
import { identityListSchema } from '@/lib/inventory/schemas'
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
})
