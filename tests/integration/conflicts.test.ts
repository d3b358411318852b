import { describe, expect, it } from 'vitest'
import { db } from '@/lib/db'
import { recomputeFindingsForOrg } from '@/lib/findings/recompute'
import { createImportSource, updateSourceEnvironment } from '@/lib/sources/mutations'
import Database from 'better-sqlite3'
import { sqliteFile } from '@/lib/db-url'
import { addIdentity, createOrg, engine } from './fixtures'

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

  // SQLite: a transaction that read first and then writes is refused at once (SQLITE_BUSY_SNAPSHOT, no wait) when another
  // connection committed in between — the worker writing while a person saves. It runs again and succeeds; seen in e2e
  // as "Operation has timed out" on an attestation and a trust rule.
  it.skipIf(engine !== 'sqlite')('a SQLite transaction whose snapshot went stale runs again instead of failing', async () => {
    const t = await createOrg()
    const other = new Database(sqliteFile(process.env.DATABASE_URL!), { timeout: 20_000 })
    try {
      let attempts = 0
      const name = await db.$transaction(async (tx) => {
        attempts++
        const org = await tx.organization.findUniqueOrThrow({ where: { id: t.org.id }, select: { name: true } })
        // Another connection commits after this transaction's first read (only on the first attempt).
        if (attempts === 1) other.prepare('UPDATE "Organization" SET "name" = ? WHERE "id" = ?').run(`${org.name} (renamed)`, t.org.id)
        const updated = await tx.organization.update({ where: { id: t.org.id }, data: { name: `${org.name}!` }, select: { name: true } })
        return updated.name
      })
      expect(attempts).toBe(2)
      expect(name.endsWith('(renamed)!')).toBe(true)
    } finally {
      other.close()
    }
  })
})
