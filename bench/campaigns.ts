// Campaign launch time and the reviewer page's server time on the database in DATABASE_URL (seed it first:
// DATABASE_URL=file:$PWD/.tmp/campaign-bench.db npx tsx scripts/seed.ts --identities 100000 --reset).
// Run: DATABASE_URL=... node --conditions=react-server --import tsx bench/campaigns.ts [--org acme] [--type identity|entitlement|credential]
//   [--items N] scope the campaign to whole sources adding up to about N identities (default: the whole organization)
//   [--raw] also times the raw driver doing the launch's reads and inserts by hand (rolled back)
//   [--decide N] bulk-decide N of the busiest reviewer's items by id, 5,000 per request as the page sends them
//   (default: "accept recommendations" on every matching item); --no-close skips the close, --no-pages the reviewer pages.
import { runClose } from '@/lib/campaigns/close'
import { bulkDecide, markViewed } from '@/lib/campaigns/decide'
import { runLaunch } from '@/lib/campaigns/launch'
import { createCampaign, launchCampaign, requestClose } from '@/lib/campaigns/mutations'
import { campaignStats, listMyReviewItems } from '@/lib/campaigns/queries'
import { campaignInputSchema, reviewListSchema } from '@/lib/campaigns/schemas'
import { systemContext } from '@/lib/auth/org-context'
import { db } from '@/lib/db'
import { newId } from '@/lib/sql/bulk'
import { openDriverSql } from '@/lib/sql/driver'
import { sql } from '@/lib/sql/sql'
import './as-job-worker'
import { arg, args, databaseUrl, fmt, median, time } from './measure'

const slug = arg('--org', 'acme')
const type = arg('--type', 'identity')
const url = databaseUrl()

const org = await db.organization.findUniqueOrThrow({ where: { slug }, select: { id: true, slug: true, name: true } })
const gov = await db.membership.findFirstOrThrow({
  where: { orgId: org.id, role: { in: ['governance', 'admin'] }, status: 'active' },
  orderBy: { role: 'desc' },
  select: { role: true, user: { select: { id: true, name: true, email: true } } },
})
const ctxOf = (user: { id: string; name: string; email: string }, role: 'admin' | 'governance' | 'member') => ({
  org: { id: org.id, slug: org.slug, name: org.name },
  user,
  role,
  actor: { type: 'user' as const, id: user.id, label: user.email },
})
const ctx = ctxOf(gov.user, gov.role as 'governance')
const identities = await db.identity.count({ where: { orgId: org.id, status: { not: 'deleted' } } })
console.log(`bench/campaigns: ${fmt(identities)} identities in "${slug}" on ${url.startsWith('file:') ? 'SQLite' : 'PostgreSQL'}, ${type} review`)

// Whole sources, largest first, until the population reaches --items without overshooting it much (as bench/pages.ts).
async function scopeOf(target: number): Promise<Record<string, string>> {
  if (!target) return {}
  const sources = await db.identity.groupBy({
    by: ['sourceId'],
    where: { orgId: org.id, status: { not: 'deleted' } },
    _count: { _all: true },
    orderBy: { _count: { sourceId: 'desc' } },
  })
  const picked: string[] = []
  let total = 0
  for (const s of sources) {
    if (total >= target) break
    if (total + s._count._all > target * 1.3 && picked.length) continue
    picked.push(s.sourceId)
    total += s._count._all
  }
  return { source: picked.join(',') }
}

const input = campaignInputSchema.parse({
  orgSlug: org.slug,
  name: `Bench ${new Date().toISOString()}`,
  type,
  scope: await scopeOf(Number(arg('--items', '0'))),
  fallbackReviewerId: gov.user.id,
  dueAt: new Date(Date.now() + 30 * 86_400_000).toISOString(),
  defaultDecision: 'keep',
})
const { campaign } = await createCampaign(ctx, input)
const [queued, queueMs] = await time(() => launchCampaign(ctx, campaign.id))
const [launched, launchMs] = await time(() => runLaunch(systemContext(org, { type: 'launch_campaign', id: null }), campaign.id, async () => {}))
if (launched.items === undefined || launched.fallback === undefined) throw new Error(`launch skipped: ${JSON.stringify(launched)}`)
console.log(`  launch request (checks + count + enqueue):     ${fmt(queueMs)} ms (${fmt(queued.expectedItems)} items expected)`)
console.log(
  `  launch job (snapshot into review items):       ${(launchMs / 1000).toFixed(1)} s — ${fmt(launched.items)} items, ${fmt(launched.items / (launchMs / 1000))} items/s, ${fmt(launched.fallback)} to the fallback reviewer`,
)
console.log(`  launch job phases (ms): ${JSON.stringify(launched.timing)}`)

// --raw: the raw driver doing the launch's work by hand-written SQL on the same population: the same three reads per
// 5,000 identities, a JSON snapshot of the same parts, the same multi-row inserts; in one transaction rolled back after.
let rawLaunchMs = 0
if (args.includes('--raw')) {
  const w = await openDriverSql(url, { load: true })
  const src = (input.scope as { source?: string | string[] }).source
  const sources = src ? (Array.isArray(src) ? src : src.split(',')) : null
  await w
    .transaction(async (tx) => {
      const t0 = performance.now()
      const ids = (
        await tx.query<{ id: string }>(
          sql`SELECT "id" FROM "Identity" WHERE "orgId" = ${org.id} AND "status" <> 'deleted' ${sources ? sql`AND "sourceId" ${sql.isIn(sources)}` : sql.empty}`,
        )
      ).map((r) => r.id)
      for (let i = 0; i < ids.length; i += 5000) {
        const isIn = sql.isIn(ids.slice(i, i + 5000))
        const people = await tx.query<Record<string, unknown> & { id: string; name: string; ownerId: string | null }>(
          sql`SELECT i."id", i."name", i."kind", i."environment", i."status", i."lastUsedAt", i."privileged", i."ownerId", s."name" AS "source", o."name" AS "owner", t."name" AS "team"
            FROM "Identity" i JOIN "Source" s ON s."id" = i."sourceId" LEFT JOIN "User" o ON o."id" = i."ownerId" LEFT JOIN "Team" t ON t."id" = i."teamId" WHERE i."id" ${isIn}`,
        )
        const findings = await tx.query<{ identityId: string }>(
          sql`SELECT "identityId", "title", "severity", "owaspCode" FROM "Finding" WHERE "identityId" ${isIn} AND "status" = 'open'`,
        )
        const grants = await tx.query<{ identityId: string }>(
          sql`SELECT g."id", g."identityId", g."privileged", g."lastUsedAt", e."name", r."name" AS "resource" FROM "Grant" g JOIN "Entitlement" e ON e."id" = g."entitlementId"
            JOIN "Resource" r ON r."id" = e."resourceId" WHERE g."identityId" ${isIn} AND g."status" = 'active'`,
        )
        const group = <T extends { identityId: string }>(rows: T[]) => {
          const m = new Map<string, T[]>()
          for (const r of rows) m.set(r.identityId, [...(m.get(r.identityId) ?? []), r])
          return m
        }
        const [fOf, gOf] = [group(findings), group(grants)]
        const now = Date.now()
        await w.insert(
          'ReviewItem',
          [
            'id',
            'orgId',
            'campaignId',
            'identityId',
            'reviewerId',
            'snapshot',
            'recommendation',
            'recommendationReason',
            'privileged',
            'identityName',
            'status',
            'createdAt',
          ],
          people.map((p) => [
            newId(),
            org.id,
            campaign.id,
            p.id,
            p.ownerId ?? gov.user.id,
            JSON.stringify({ identity: p, grants: (gOf.get(p.id) ?? []).slice(0, 25), findings: (fOf.get(p.id) ?? []).slice(0, 10) }),
            'keep',
            'raw',
            p.privileged,
            p.name,
            'pending',
            now,
          ]),
        )
      }
      rawLaunchMs = performance.now() - t0
      throw new Error('rollback')
    })
    .catch((err: Error) => {
      if (err.message !== 'rollback') throw err
    })
  await w.close()
  console.log(`  raw driver, same reads and inserts (rolled back):  ${(rawLaunchMs / 1000).toFixed(1)} s`)
}

// The busiest reviewer's "My reviews" page: the server work the page does (list + count + campaign chips + mark viewed).
const top = await db.reviewItem.groupBy({
  by: ['reviewerId'],
  where: { campaignId: campaign.id },
  _count: { _all: true },
  orderBy: { _count: { reviewerId: 'desc' } },
  take: 1,
})
const reviewer = await db.user.findUniqueOrThrow({ where: { id: top[0].reviewerId! }, select: { id: true, name: true, email: true } })
const rctx = ctxOf(reviewer, 'member')
const page = async (p: Record<string, string>) => {
  const list = await listMyReviewItems(rctx, reviewListSchema.parse(p))
  await markViewed(
    rctx,
    list.rows.map((r) => r.id),
  )
  return list
}
const views: [string, Record<string, string>][] = [
  ['grouped by identity, page 1', { campaign: campaign.id }],
  ['grouped by identity, page 500', { campaign: campaign.id, page: '500' }],
  ['flat, privileged first', { campaign: campaign.id, view: 'flat' }],
  ['filter: recommended revoke', { campaign: campaign.id, rec: 'revoke' }],
  ['all campaigns, state all', { state: 'all' }],
]
console.log(`  reviewer page server time for ${reviewer.name} (${fmt(top[0]._count._all)} items):`)
for (const [label, p] of args.includes('--no-pages') ? [] : views) {
  const runs: number[] = []
  let total = 0
  for (let i = 0; i < 7; i++) {
    const [list, ms] = await time(() => page(p))
    runs.push(ms)
    total = list.total
  }
  console.log(`    ${label.padEnd(34)} median ${fmt(median(runs))} ms (first ${fmt(runs[0])} ms, ${fmt(total)} matching)`)
}
const statRuns: number[] = []
for (let i = 0; i < (args.includes('--no-pages') ? 0 : 3); i++) statRuns.push((await time(() => campaignStats(ctx, campaign.id)))[1])
console.log(`  campaign statistics (progress, reviewers, rubber-stamp): median ${fmt(median(statRuns))} ms`)

const decideN = Number(arg('--decide', '0'))
let decided = 0
let decideMs = 0
if (decideN) {
  const ids = (
    await db.reviewItem.findMany({
      where: { campaignId: campaign.id, reviewerId: reviewer.id, status: 'pending' },
      orderBy: { id: 'asc' },
      take: decideN,
      select: { id: true },
    })
  ).map((r) => r.id)
  for (let i = 0; i < ids.length; i += 5000) {
    const [r, ms] = await time(() => bulkDecide(rctx, { orgSlug: org.slug, ids: ids.slice(i, i + 5000), decision: 'keep', justification: 'benchmark' }))
    decided += r.decided
    decideMs += ms
  }
  console.log(`  bulk decision "keep" on ${fmt(ids.length)} items by id (5,000 per request): ${(decideMs / 1000).toFixed(1)} s for ${fmt(decided)} items`)
} else {
  const [bulk, bulkMs] = await time(() =>
    bulkDecide(rctx, { orgSlug: org.slug, filter: { campaign: campaign.id, state: 'open', rec: 'keep' }, decision: 'accept', justification: null }),
  )
  decided = bulk.decided
  decideMs = bulkMs
  console.log(`  bulk "accept recommendations" on every matching item: ${(bulkMs / 1000).toFixed(1)} s for ${fmt(bulk.decided)} items`)
}

let closeMs = 0
if (!args.includes('--no-close')) {
  await requestClose(ctx, campaign.id)
  const [closed, ms] = await time(() => runClose(systemContext(org, { type: 'close_campaign', id: null }), campaign.id, 1, async () => {}))
  closeMs = ms
  console.log(`  close (default decision "keep" on the rest, lock):  ${(ms / 1000).toFixed(1)} s — ${JSON.stringify(closed)}`)
}
await db.$disconnect()
console.log(
  JSON.stringify({
    identities,
    items: launched.items,
    launchSeconds: +(launchMs / 1000).toFixed(2),
    rawLaunchSeconds: +(rawLaunchMs / 1000).toFixed(2),
    itemsPerSecond: Math.round(launched.items / (launchMs / 1000)),
    timing: launched.timing,
    decided,
    decideSeconds: +(decideMs / 1000).toFixed(2),
    closeSeconds: +(closeMs / 1000).toFixed(2),
  }),
)
