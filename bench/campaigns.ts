// Campaign launch time and the reviewer page's server time on the database in DATABASE_URL (seed it first:
// DATABASE_URL=file:$PWD/.tmp/campaign-bench.db npx tsx scripts/seed.ts --identities 100000 --reset).
// Run: DATABASE_URL=... node --conditions=react-server --import tsx bench/campaigns.ts [--org acme] [--type identity|entitlement|credential]
import { runClose } from '@/lib/campaigns/close'
import { bulkDecide, markViewed } from '@/lib/campaigns/decide'
import { runLaunch } from '@/lib/campaigns/launch'
import { createCampaign, launchCampaign, requestClose } from '@/lib/campaigns/mutations'
import { campaignStats, listMyReviewItems } from '@/lib/campaigns/queries'
import { campaignInputSchema, reviewListSchema } from '@/lib/campaigns/schemas'
import { systemContext } from '@/lib/auth/org-context'
import { db } from '@/lib/db'
import { arg, databaseUrl, fmt, median, time } from './measure'

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

const input = campaignInputSchema.parse({
  orgSlug: org.slug,
  name: `Bench ${new Date().toISOString()}`,
  type,
  scope: {},
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
for (const [label, p] of views) {
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
for (let i = 0; i < 3; i++) statRuns.push((await time(() => campaignStats(ctx, campaign.id)))[1])
console.log(`  campaign statistics (progress, reviewers, rubber-stamp): median ${fmt(median(statRuns))} ms`)

const [bulk, bulkMs] = await time(() =>
  bulkDecide(rctx, { orgSlug: org.slug, filter: { campaign: campaign.id, state: 'open', rec: 'keep' }, decision: 'accept', justification: null }),
)
console.log(`  bulk "accept recommendations" on every matching item: ${(bulkMs / 1000).toFixed(1)} s for ${fmt(bulk.decided)} items`)

await requestClose(ctx, campaign.id)
const [closed, closeMs] = await time(() => runClose(systemContext(org, { type: 'close_campaign', id: null }), campaign.id, 1, async () => {}))
console.log(`  close (default decision "keep" on the rest, lock):  ${(closeMs / 1000).toFixed(1)} s — ${JSON.stringify(closed)}`)
await db.$disconnect()
