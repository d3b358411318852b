// The hot page queries on any database (e.g. the 1,000,000-identity file): each page function timed, and every
// statement it sends EXPLAINed, flagged where it reads a large table without an index.
//   DATABASE_URL=file:… node --conditions react-server --import tsx bench/plans.ts [--only <name part>]
import { performance } from 'node:perf_hooks'
import type { Role } from '../lib/auth/permissions'
import type { QueryEvent } from '../lib/db'
import { DEMO_ORGS, DEMO_USERS } from '../lib/seed/demo-users'
import { describePlan, isPageRead, openExplainer, statementOf } from '../tests/plans/guard'

const url = process.env.DATABASE_URL
if (!url) throw new Error('DATABASE_URL names the database to look at')
const only = process.argv.includes('--only') ? process.argv[process.argv.indexOf('--only') + 1] : null
const events: { e: QueryEvent; ms: number }[] = []
let capturing = false
// lib/db makes its client when first imported, unless one is waiting on globalThis: a stand-in that forwards to the
// logging client made right after.
let real: Record<string | symbol, unknown> = {}
;(globalThis as { __custodianDb?: unknown }).__custodianDb = new Proxy(
  {},
  {
    get: (_, k) => {
      const v = real[k]
      return typeof v === 'function' ? v.bind(real) : v
    },
  },
)
const { createDb, db } = await import('../lib/db')
real = createDb({
  onQuery: (e) => void (capturing && events.push({ e, ms: Number((e as QueryEvent & { duration: number }).duration) })),
}) as unknown as typeof real
const { busiestOwnerOf, hotPageCalls } = await import('../tests/plans/pages')
const org = await db.organization.findUniqueOrThrow({ where: { slug: DEMO_ORGS.acme.slug } })
const users = await db.user.findMany({ where: { email: { in: DEMO_USERS.map((u) => u.email) } } })
const ctx = (role: Role) => {
  const d = DEMO_USERS.find((u) => u.orgSlug === 'acme' && u.role === role)!
  const u = users.find((x) => x.email === d.email)!
  return { org, user: { id: u.id, email: u.email, name: u.name }, role, actor: { type: 'user' as const, id: u.id, label: u.email } }
}
const busiest = await db.identity.findFirstOrThrow({ where: { orgId: org.id }, orderBy: { grantCount: 'desc' }, select: { id: true } })
const typical = await db.identity.findFirstOrThrow({ where: { orgId: org.id, grantCount: 5 }, select: { id: true } })
const campaign = await db.campaign.findFirst({ where: { orgId: org.id, launchedAt: { not: null } }, orderBy: { itemCount: 'desc' }, select: { id: true } })
const busiestOwner = await busiestOwnerOf(db, org.id)
const explainer = await openExplainer(url)
const ids = { busiestIdentity: busiest.id, typicalIdentity: typical.id, campaignId: campaign?.id, busiestOwner: busiestOwner ?? undefined }
for (const call of hotPageCalls(ctx, ids)) {
  if (only && !call.name.includes(only)) continue
  events.length = 0
  capturing = true
  const t = performance.now()
  await call.run()
  const ms = performance.now() - t
  capturing = false
  console.log(`\n== ${call.name}: ${ms.toFixed(0)} ms, ${events.length} statements`)
  for (const { e, ms: qms } of events) {
    const s = statementOf(e)
    if (!isPageRead(s)) continue
    const plan = await explainer.explain(s)
    const raw = qms >= 50 || plan.violations.length ? await explainer.time(s) : 0
    if (raw >= 50 || plan.violations.length) console.log(`  [${raw.toFixed(0)} ms raw]${plan.violations.length ? ' UNINDEXED' : ''} ${describePlan(plan)}`)
  }
}
await explainer.close()
await db.$disconnect()
