import type { Metadata } from 'next'
import Link from 'next/link'
import { Badge } from '@/components/ui/badge'
import { buttonClass } from '@/components/ui/button'
import { Card } from '@/components/ui/card'
import { EmptyState } from '@/components/ui/empty-state'
import { Forbidden } from '@/components/ui/forbidden'
import { formatNumber, renderTime } from '@/components/ui/format'
import { PageHeader } from '@/components/ui/page-header'
import { ROUTE_STATUS_TONES } from '@/components/gateway/tones'
import { can } from '@/lib/auth/permissions'
import { pageAllows, pageContext } from '@/lib/auth/session'
import { EXCHANGE_STATS_CAP, exchangeStats, listProviders, recentExchanges } from '@/lib/federation/queries'
import { PRESET_LABELS } from '@/lib/federation/schemas'
import { ExchangesTable } from './_components/exchanges-table'

export const metadata: Metadata = { title: 'Federation' }

export default async function FederationPage({ params }: { params: Promise<{ orgSlug: string }> }) {
  const ctx = await pageContext((await params).orgSlug)
  if (!(await pageAllows(ctx, 'source:read', 'federation'))) return <Forbidden orgSlug={ctx.org.slug} what="workload federation" />
  // Providers are a handful; the stats read at most EXCHANGE_STATS_CAP rows through the (orgId, at) index.
  const [providers, stats, recent] = await Promise.all([listProviders(ctx), exchangeStats(ctx), recentExchanges(ctx, { take: 15 })])
  const manage = can(ctx.role, 'source:manage')
  const base = `/${ctx.org.slug}`
  const now = renderTime()
  const add = manage ? (
    <Link href={`${base}/federation/new`} className={buttonClass('primary')} data-testid="new-provider">
      Add provider
    </Link>
  ) : null
  const plus = stats.capped ? '+' : ''
  return (
    <div className="space-y-5">
      <PageHeader
        title="Workload federation"
        description="Workloads prove what they are with their platform’s OIDC token and get a Custodian token for minutes, scoped to one identity: no long-lived secret to leak."
        actions={add}
      />
      <div className="grid gap-4 sm:grid-cols-3" data-testid="exchange-stats">
        <Stat label="Trust rules" value={formatNumber(providers.reduce((a, p) => a + p.rules.length, 0))} hint={`${providers.length} providers`} />
        <Stat label="Tokens issued (24 h)" value={`${formatNumber(stats.issued)}${plus}`} />
        <Stat
          label="Exchanges refused (24 h)"
          value={`${formatNumber(stats.refused)}${plus}`}
          hint={
            stats.reasons.length
              ? stats.reasons
                  .slice(0, 3)
                  .map((r) => `${r.reason.replaceAll('-', ' ')} ${formatNumber(r.count)}`)
                  .join(' · ')
              : 'none'
          }
          tone={stats.refused ? 'text-rose-700' : undefined}
        />
      </div>
      {stats.capped ? <p className="text-xs text-slate-500">Counted over the latest {formatNumber(EXCHANGE_STATS_CAP)} exchanges.</p> : null}
      {providers.length === 0 ? (
        <Card>
          <EmptyState title="No trust providers yet" action={add}>
            Register GitHub Actions, a Kubernetes cluster or any OpenID Connect issuer, then write rules that map its tokens to identities of the inventory.
          </EmptyState>
        </Card>
      ) : (
        <ul className="grid gap-4 md:grid-cols-2" data-testid="providers">
          {providers.map((p) => (
            <li key={p.id}>
              <Link
                href={`${base}/federation/${p.id}`}
                className="block h-full rounded-lg border border-slate-200 bg-white p-4 shadow-sm transition hover:border-indigo-300 focus-visible:ring-2 focus-visible:ring-indigo-500 focus-visible:outline-none"
                data-testid={`provider-${p.preset}`}
              >
                <div className="flex items-center justify-between gap-2">
                  <span className="font-medium text-slate-900">{p.name}</span>
                  <span className="flex gap-1.5">
                    <Badge tone="indigo">{PRESET_LABELS[p.preset] ?? p.preset}</Badge>
                    <Badge tone={ROUTE_STATUS_TONES[p.status] ?? 'gray'}>{p.status}</Badge>
                  </span>
                </div>
                <p className="mt-1 truncate font-mono text-xs text-slate-500">{p.issuer}</p>
                <p className="mt-3 text-sm text-slate-700">
                  {p.rules.length === 0
                    ? 'No rules yet: every token is refused.'
                    : `${formatNumber(p.rules.length)} rule${p.rules.length === 1 ? '' : 's'} → ${[...new Set(p.rules.map((r) => r.identity.name))].slice(0, 3).join(', ')}${
                        new Set(p.rules.map((r) => r.identity.name)).size > 3 ? '…' : ''
                      }`}
                </p>
              </Link>
            </li>
          ))}
        </ul>
      )}
      <Card title="Recent exchanges">
        <ExchangesTable rows={recent} base={base} now={now} testId="recent-exchanges" />
      </Card>
    </div>
  )
}

function Stat({ label, value, hint, tone }: { label: string; value: string; hint?: string; tone?: string }) {
  return (
    <div className="rounded-lg border border-slate-200 bg-white p-4 shadow-sm">
      <p className="text-xs font-medium text-slate-500">{label}</p>
      <p className={`mt-1 text-2xl font-semibold tabular-nums ${tone ?? 'text-slate-900'}`}>{value}</p>
      {hint ? <p className="mt-1 truncate text-xs text-slate-500">{hint}</p> : null}
    </div>
  )
}
