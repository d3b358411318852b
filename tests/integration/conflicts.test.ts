import { describe, expect, it } from 'vitest'
import { db } from '@/lib/db'
import { recomputeFindingsForOrg } from '@/lib/findings/recompute'
import { createImportSource, updateSourceEnvironment } from '@/lib/sources/mutations'
import { addIdentity, createOrg } from './fixtures'

describe('concurrent writes to the same identities', () => {
  // On PostgreSQL these two deadlocked (40P01) in most rounds, and the person's save failed: the worker's nightly
  // recompute runs on every organization, so it meets people's changes. Aborted transactions now run again.
  it("a person's environment change and the findings recompute both complete when they meet", async () => {
    const t = await createOrg()
    const ctx = t.ctx('governance')
    const source = await createImportSource(ctx, { orgSlug: t.org.slug, name: 'Cluster', format: 'kubernetes' })
    for (let i = 0; i < 120; i++) await addIdentity(t.org.id, source.id, { environment: 'unknown', privileged: i % 3 === 0, secretAgeDays: 500 })
    const failures: string[] = []
    for (let round = 0; round < 6; round++) {
      const environment = round % 2 ? 'staging' : 'production'
      await db.identity.updateMany({ where: { orgId: t.org.id }, data: { environment: 'unknown' } })
      const results = await Promise.allSettled([
        recomputeFindingsForOrg(t.ctx('admin')),
        updateSourceEnvironment(ctx, { orgSlug: t.org.slug, sourceId: source.id, environment }),
      ])
      for (const r of results) if (r.status === 'rejected') failures.push((r.reason as Error).message.slice(-120))
      expect(failures).toEqual([])
      expect(await db.identity.count({ where: { orgId: t.org.id, environment } })).toBe(120)
    }
  }, 120_000)
})
