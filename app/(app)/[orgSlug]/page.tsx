import type { Metadata } from 'next'
import Link from 'next/link'
import { EmptyState } from '@/components/ui/empty-state'
import { formatNumber } from '@/components/ui/format'
import { PageHeader } from '@/components/ui/page-header'
import { pageContext } from '@/lib/auth/page'
import { overviewCounts } from '@/lib/overview/queries'

export const metadata: Metadata = { title: 'Overview' }

export default async function OverviewPage({ params }: { params: Promise<{ orgSlug: string }> }) {
  const { orgSlug } = await params
  const ctx = await pageContext(orgSlug)
  const c = await overviewCounts(ctx)
  const inv = (q: string) => `/${ctx.org.slug}/identities${q ? `?${q}` : ''}`
  const pct = (n: number) => (c.total ? `${Math.round((n / c.total) * 100)}% of all` : '')
  const cards = [
    { label: 'Non-human identities', value: c.total, href: inv(''), note: 'active, disabled and quarantined', tone: 'text-slate-900' },
    { label: 'Without an owner', value: c.unowned, href: inv('owner=unowned'), note: pct(c.unowned), tone: 'text-rose-700' },
    { label: 'Privileged', value: c.privileged, href: inv('privileged=yes'), note: pct(c.privileged), tone: 'text-amber-700' },
    { label: 'Dormant', value: c.dormant, href: inv('dormant=yes'), note: `unused for ${c.dormantDays}+ days`, tone: 'text-amber-700' },
    { label: 'Secrets older than a year', value: c.stale, href: inv('credAge=365'), note: 'never rotated in 365 days', tone: 'text-amber-700' },
    { label: 'High risk', value: c.highRisk, href: inv('risk=high'), note: 'risk score 70 or more', tone: 'text-rose-700' },
  ]
  return (
    <>
      <PageHeader title="Overview" description={`What ${ctx.org.name} holds, and what needs attention.`} />
      {c.total === 0 ? (
        <div className="rounded-lg border border-slate-200 bg-white">
          <EmptyState title="No identities yet">
            Connect a source or import an inventory to see your non-human identities here. For a tour, load the demo data with{' '}
            <code className="rounded bg-slate-100 px-1">npm run seed</code>.
          </EmptyState>
        </div>
      ) : (
        <div className="grid gap-4 sm:grid-cols-2 xl:grid-cols-3" data-testid="overview-cards">
          {cards.map((card) => (
            <Link key={card.label} href={card.href} className="group rounded-lg border border-slate-200 bg-white p-5 shadow-sm transition hover:border-indigo-300 hover:shadow">
              <p className="text-sm font-medium text-slate-500">{card.label}</p>
              <p className={`mt-2 text-3xl font-semibold tabular-nums ${card.tone}`} data-testid={`card-${card.label}`}>{formatNumber(card.value)}</p>
              <p className="mt-1 text-xs text-slate-500">{card.note}</p>
              <p className="mt-3 text-xs font-medium text-indigo-700 opacity-0 transition group-hover:opacity-100">Open in inventory →</p>
            </Link>
          ))}
        </div>
      )}
    </>
  )
}
