// Findings engine rate and dashboard server time on the database in DATABASE_URL (seed it first:
// DATABASE_URL=file:$PWD/.tmp/bench.db npx tsx scripts/seed.ts --identities 100000 --reset).
// Run: DATABASE_URL=... node --conditions=react-server --import tsx bench/findings.ts [--org acme] [--skip-driver] [--skip-prisma]
import { getDashboard } from '@/lib/dashboard/queries'
import { db } from '@/lib/db'
import { recomputeOrg } from '@/lib/findings/engine'
import { RECOMPUTE_CACHE_MIB } from '@/lib/findings/recompute'
import { computeOrgMetrics, saveSnapshot } from '@/lib/metrics/compute'
import { parseOrgSettings } from '@/lib/settings/schemas'
import { openDriverSql } from '@/lib/sql/driver'
import { largeWrite } from '@/lib/sql/checkpoints'
import './as-job-worker'
import { prismaSql } from '@/lib/sql/prisma'
import { arg, args, databaseUrl, fmt, median, time } from './measure'

const slug = arg('--org', 'acme')
const url = databaseUrl()

const org = await db.organization.findUniqueOrThrow({ where: { slug }, select: { id: true, slug: true, name: true, settings: true } })
const settings = parseOrgSettings(org.settings)
const admin = await db.membership.findFirstOrThrow({
  where: { orgId: org.id, role: 'admin', status: 'active' },
  select: { user: { select: { id: true, name: true, email: true } } },
})
const ctx = {
  org: { id: org.id, slug: org.slug, name: org.name },
  user: admin.user,
  role: 'admin' as const,
  actor: { type: 'user' as const, id: admin.user.id, label: admin.user.email },
}
const identities = await db.identity.count({ where: { orgId: org.id } })
console.log(`bench/findings: ${fmt(identities)} identities in "${slug}" on ${url.startsWith('file:') ? 'SQLite' : 'PostgreSQL'}`)

if (!args.includes('--skip-driver')) {
  const w = await openDriverSql(url, { load: true })
  const [raw, rawMs] = await time(() => recomputeOrg(w, org.id, settings))
  await w.close()
  console.log(
    `  findings recompute (bulk driver, as the seeder):  ${(rawMs / 1000).toFixed(1)} s — ${fmt(identities / (rawMs / 1000))} identities/s, ${raw.batches} batches, ${fmt(raw.open)} open findings`,
  )
}

if (!args.includes('--skip-prisma')) {
  // With the page cache the recompute job runs with (lib/findings/recompute.ts).
  const [, prismaMs] = await time(() => largeWrite(RECOMPUTE_CACHE_MIB, () => recomputeOrg(prismaSql(), org.id, settings)))
  console.log(`  findings recompute (Prisma, as the job):          ${(prismaMs / 1000).toFixed(1)} s — ${fmt(identities / (prismaMs / 1000))} identities/s`)
}

const [metrics, metricsMs] = await time(() => computeOrgMetrics(prismaSql(), org.id, settings))
await saveSnapshot(prismaSql(), org.id, metrics)
console.log(`  metrics snapshot (live aggregate, the job):       ${fmt(metricsMs)} ms`)

const runs: number[] = []
for (let i = 0; i < 7; i++) runs.push((await time(() => getDashboard(ctx, 90)))[1])
const [d] = await time(() => getDashboard(ctx, 365))
console.log(
  `  dashboard server data (getDashboard, 90 days):    median ${fmt(median(runs))} ms, first ${fmt(runs[0])} ms (${d.live ? 'live' : 'from snapshot'}, ${d.trend.length} trend days at 365)`,
)
await db.$disconnect()
