import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'

// Every statement the domain functions send goes through this client, which hands its text and parameters to the guard.
const captured = vi.hoisted(() => ({ on: false, list: [] as { query: string; params: string }[] }))
vi.mock('@/lib/db', async (importOriginal) => {
  const m = await importOriginal<typeof import('@/lib/db')>()
  return { ...m, db: m.createDb({ onQuery: (e) => void (captured.on && captured.list.push({ query: e.query, params: e.params })) }) }
})

import type { Role } from '@/lib/auth/permissions'
import { createCampaign } from '@/lib/campaigns/mutations'
import { campaignInputSchema } from '@/lib/campaigns/schemas'
import { db } from '@/lib/db'
import { drainJobs } from '@/lib/jobs/worker'
import { DEMO_ORGS, DEMO_USERS } from '@/lib/seed/demo-users'
import { seedDemo } from '@/lib/seed/run'
import { prismaSql } from '@/lib/sql/prisma'
import { sql } from '@/lib/sql/sql'
import { describePlan, isPageRead, openExplainer, statementOf, type Explainer, type Plan } from '../plans/guard'
import { busiestOwnerOf, hotPageCalls, type PageCall } from '../plans/pages'
import { engine } from './fixtures'

const url = process.env.DATABASE_URL!
let explainer: Explainer
let calls: PageCall[] = []

beforeAll(async () => {
  // The app's seeder (which also refreshes the planner statistics, as after any seed).
  await seedDemo({ databaseUrl: url, identities: 3000, reset: true })
  const org = await db.organization.findUniqueOrThrow({ where: { slug: DEMO_ORGS.acme.slug } })
  const users = await db.user.findMany({ where: { email: { in: DEMO_USERS.map((u) => u.email) } } })
  const ctx = (role: Role) => {
    const u = users.find((x) => x.email === DEMO_USERS.find((d) => d.orgSlug === 'acme' && d.role === role)!.email)!
    return { org, user: { id: u.id, email: u.email, name: u.name }, role, actor: { type: 'user' as const, id: u.id, label: u.email } }
  }
  const busiest = await db.identity.findFirstOrThrow({ where: { orgId: org.id }, orderBy: { grantCount: 'desc' }, select: { id: true } })
  const typical = await db.identity.findFirstOrThrow({ where: { orgId: org.id, grantCount: { gt: 0 } }, select: { id: true } })
  // A launched review campaign over one source (the campaign page), and the person owning the most identities.
  const source = await db.source.findFirstOrThrow({ where: { orgId: org.id }, orderBy: { name: 'asc' }, select: { id: true } })
  const { campaign } = await createCampaign(
    ctx('governance'),
    campaignInputSchema.parse({
      orgSlug: org.slug,
      name: 'Plans review',
      type: 'identity',
      scope: { source: source.id },
      fallbackReviewerId: ctx('governance').user.id,
      dueAt: new Date(Date.now() + 14 * 86_400_000).toISOString(),
      launch: true,
    }),
  )
  await drainJobs()
  const busiestOwner = (await busiestOwnerOf(db, org.id)) ?? undefined
  calls = hotPageCalls(ctx, { busiestIdentity: busiest.id, typicalIdentity: typical.id, campaignId: campaign.id, busiestOwner })
  // Seeing the guard fail: QUERY_PLAN_DROP_INDEX=<index> drops an index a page uses (the reset before the next run restores it).
  const drop = process.env.QUERY_PLAN_DROP_INDEX
  if (drop) await prismaSql().execute(sql`DROP INDEX ${sql.ident(drop)}`)
  explainer = await openExplainer(url)
}, 300_000)

afterAll(async () => {
  await explainer?.close()
  await db.$disconnect()
})

/** The plans of every read a page function sends. */
async function plansOf(call: PageCall): Promise<Plan[]> {
  captured.list = []
  captured.on = true
  try {
    await call.run()
  } finally {
    captured.on = false
  }
  const reads = captured.list.map(statementOf).filter(isPageRead)
  const plans: Plan[] = []
  for (const s of reads) plans.push(await explainer.explain(s)) // one at a time: each is its own transaction on one connection
  return plans
}

describe(`query plans of the hot pages (${engine})`, () => {
  it('covers the pages', () => {
    expect(calls.map((c) => c.name)).toEqual(
      expect.arrayContaining([
        'identity page (most grants)',
        'My identities (member)',
        'My identities (busiest owner)',
        'Findings',
        'Findings critical in production',
        'My identities (busiest owner), page 3',
        'inventory finding=NHI5',
        'sources',
        'settings (members)',
        'campaign statistics',
        'campaign items',
      ]),
    )
  })

  // The PostgreSQL seeder loads in replica mode (no foreign-key checks), which silences triggers too: the cells and the
  // search text the triggers keep must still match the rows (the inventory's total and search read them).
  it('the seeder leaves the maintained counts and search text in step with the rows', async () => {
    const q = (s: ReturnType<typeof sql>) => prismaSql().query<{ n: unknown }>(s)
    const identities = Number((await q(sql`SELECT COUNT(*) AS n FROM "Identity"`))[0].n)
    expect(identities).toBeGreaterThan(3000)
    expect(Number((await q(sql`SELECT SUM("n") AS n FROM "IdentityFacet"`))[0].n)).toBe(identities)
    expect(Number((await q(sql`SELECT COUNT(*) AS n FROM "IdentitySearch"`))[0].n)).toBe(identities)
    const findings = Number((await q(sql`SELECT COUNT(*) AS n FROM "Finding"`))[0].n)
    expect(findings).toBeGreaterThan(0)
    expect(Number((await q(sql`SELECT SUM("n") AS n FROM "FindingCount"`))[0].n)).toBe(findings)
  })

  it('reads no large table without an index', async () => {
    const failures: string[] = []
    for (const call of calls) {
      const plans = await plansOf(call)
      expect(plans.length, `${call.name} sent no statement`).toBeGreaterThan(0)
      for (const p of plans.filter((x) => x.violations.length)) failures.push(`${call.name}: ${p.violations.join('; ')}\n  ${describePlan(p)}`)
    }
    expect(failures, failures.join('\n\n')).toEqual([])
  })
})
