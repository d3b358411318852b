// Inventory page server time: the same domain calls the page makes (list + total + facets), per filter,
// compared with the raw database doing the equivalent SELECT. Run through bench/run.ts.
import { db } from '@/lib/db'
import { env } from '@/lib/env'
import type { UserCtx } from '@/lib/auth/org-context'
import { identityFacets, listIdentities, resetFacetCache } from '@/lib/inventory/queries'
import { identityListSchema } from '@/lib/inventory/schemas'
import { openDriverSql } from '@/lib/sql/driver'
import { sql } from '@/lib/sql/sql'

const CASES: Record<string, Record<string, string>> = {
  'default (risk desc, page 1)': {},
  'sort by name, page 200': { sort: 'name', dir: 'asc', page: '200' },
  'unowned + privileged': { owner: 'unowned', privileged: 'yes' },
  'kind=api_key, env=production': { kind: 'api_key', env: 'production' },
  'dormant, sort last used': { dormant: 'yes', sort: 'lastUsedAt', dir: 'asc' },
  'secret older than 1 year': { credAge: '365' },
  'text search "payments"': { q: 'payments' },
  'deep page 2,000': { page: '2000' },
  'sort by name, descending, page 200': { sort: 'name', dir: 'desc', page: '200' },
  'sort by kind': { sort: 'kind', dir: 'asc' },
  'sort by environment, descending': { sort: 'environment', dir: 'desc' },
  'sort by status': { sort: 'status', dir: 'asc' },
  'sort by grants, descending': { sort: 'grantCount', dir: 'desc' },
  'sort by created, page 50': { sort: 'createdAt', dir: 'asc', page: '50' },
  'sort by risk, ascending': { sort: 'riskScore', dir: 'asc' },
  'search "payments", kind = API key': { q: 'payments', kind: 'api_key' },
}

async function time<T>(fn: () => Promise<T>, runs = 5) {
  await fn()
  const ms: number[] = []
  for (let i = 0; i < runs; i++) {
    const t = performance.now()
    await fn()
    ms.push(performance.now() - t)
  }
  ms.sort((a, b) => a - b)
  return ms[Math.floor(ms.length / 2)]
}

export async function benchInventory() {
  const org = await db.organization.findUniqueOrThrow({ where: { slug: 'acme' } })
  const admin = await db.membership.findFirstOrThrow({ where: { orgId: org.id, role: 'admin' }, include: { user: true } })
  const ctx: UserCtx = {
    org: { id: org.id, slug: org.slug, name: org.name },
    user: { id: admin.user.id, name: admin.user.name, email: admin.user.email },
    role: 'admin',
    actor: { type: 'user', id: admin.user.id, label: admin.user.email },
  }
  const total = await db.identity.count({ where: { orgId: org.id } })
  const rows: { case: string; listMs: number; facetsMs: number; pageMs: number; rawMs?: number }[] = []
  const raw = env().databaseProvider === 'sqlite' ? await openDriverSql(env().databaseUrl) : null
  for (const [name, q] of Object.entries(CASES)) {
    const p = identityListSchema.parse(q)
    const listMs = await time(() => listIdentities(ctx, p))
    const facetsMs = await time(() => (resetFacetCache(), identityFacets(ctx, p)))
    const pageMs = await time(() => (resetFacetCache(), Promise.all([listIdentities(ctx, p), identityFacets(ctx, p)])))
    let rawMs: number | undefined
    if (raw && name.startsWith('default')) {
      rawMs = await time(async () => {
        await raw.query(sql`SELECT * FROM "Identity" WHERE "orgId" = ${org.id} AND "status" <> 'deleted' ORDER BY "riskScore" DESC, "id" LIMIT 50`)
        await raw.query(sql`SELECT COUNT(*) FROM "Identity" WHERE "orgId" = ${org.id} AND "status" <> 'deleted'`)
      })
    }
    rows.push({ case: name, listMs, facetsMs, pageMs, rawMs })
  }
  await raw?.close()
  return { identities: total, engine: env().databaseProvider, rows }
}

const isMain = process.argv[1]?.endsWith('inventory.ts')
if (isMain) {
  const r = await benchInventory()
  console.log(JSON.stringify(r))
  process.exit(0)
}
