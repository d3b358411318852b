import type { Metadata } from 'next'
import Link from 'next/link'
import type { ListPageProps } from '@/components/data-table/search-params'
import { BarListChart, type BarDatum } from '@/components/charts/bar-list-chart'
import { TrendChart } from '@/components/charts/trend-chart'
import { Card } from '@/components/ui/card'
import { EmptyState } from '@/components/ui/empty-state'
import { countOf, formatDate, formatDateTime, formatNumber } from '@/components/ui/format'
import { PageHeader } from '@/components/ui/page-header'
import { pageContext } from '@/lib/auth/session'
import { getDashboard, TREND_RANGES, type TrendRange } from '@/lib/dashboard/queries'
import { OWASP_CODES, OWASP_LABELS } from '@/lib/findings/rules'
import { ENVIRONMENTS, filterToSearchParams, KIND_LABELS, type IdentityFilter } from '@/lib/inventory/schemas'
import { WORKLOAD_KINDS } from '@/lib/metrics/compute'

export const metadata: Metadata = { title: 'Overview' }

const ENV_COLORS: Record<string, string> = { production: '#e11d48', staging: '#f59e0b', development: '#0ea5e9', test: '#10b981', unknown: '#94a3b8' }

export default async function DashboardPage({ params, searchParams }: ListPageProps) {
  const ctx = await pageContext((await params).orgSlug)
  const sp = await searchParams
  const range = (TREND_RANGES.find((r) => String(r) === sp.range) ?? 90) as TrendRange
  const d = await getDashboard(ctx, range)
  const m = d.metrics
  const base = `/${ctx.org.slug}`
  const inv = (f: Partial<IdentityFilter>) => {
    const q = filterToSearchParams(f).toString()
    return `${base}/identities${q ? `?${q}` : ''}`
  }

  if (m.total === 0) {
    return (
      <>
        <PageHeader title="Overview" description={`What ${ctx.org.name} holds, and what needs attention.`} />
        <div className="rounded-lg border border-slate-200 bg-white" data-testid="dashboard-empty">
          <EmptyState title="No identities yet">
            <p>The dashboard fills in once Custodian knows your non-human identities.</p>
            <ul className="mt-3 space-y-1 text-left">
              <li>
                • <strong>Add a source</strong>: connect AWS, GitHub, Kubernetes, PostgreSQL… or import a CSV/JSON inventory from the Sources page.
              </li>
              <li>
                • <strong>Push through the API</strong>: <code className="rounded bg-slate-100 px-1">POST /api/v1/identities</code> with an API token.
              </li>
              <li>
                • <strong>Load the demo</strong>: <code className="rounded bg-slate-100 px-1">npm run seed -- --reset</code> writes the Acme demo organization.
              </li>
            </ul>
          </EmptyState>
        </div>
      </>
    )
  }

  const pct = (n: number) => (m.total ? `${Math.round((n / m.total) * 100)}% of all` : '')
  const cards = [
    {
      id: 'total',
      label: 'Non-human identities',
      value: formatNumber(m.total),
      href: inv({}),
      note: 'active, disabled and quarantined',
      tone: 'text-slate-900',
    },
    { id: 'unowned', label: 'Without an owner', value: formatNumber(m.unowned), href: inv({ owner: 'unowned' }), note: pct(m.unowned), tone: 'text-rose-700' },
    {
      id: 'overprivileged',
      label: 'Overprivileged',
      value: formatNumber(m.overprivileged),
      href: inv({ finding: 'NHI5' }),
      note: 'admin, wildcard or unused privileged access',
      tone: 'text-rose-700',
    },
    {
      id: 'dormant',
      label: 'Dormant',
      value: formatNumber(m.dormant),
      href: inv({ dormant: 'yes' }),
      note: `unused for ${m.dormantDays}+ days`,
      tone: 'text-amber-700',
    },
    {
      id: 'rotation',
      label: 'Secret rotation compliance',
      value: m.rotationCompliance === null ? '—' : `${m.rotationCompliance}%`,
      href: inv({ finding: 'old-secret' }),
      // The value counts secrets; the link opens identities: the note says both.
      note: `${formatNumber(m.credentialsCompliant)} of ${formatNumber(m.credentialsActive)} active secrets rotated within ${m.rotationMaxDays} days${m.oldSecretIdentities === undefined ? '' : `; ${countOf(m.oldSecretIdentities, 'identity holds', 'identities hold')} an older one`}`,
      tone: m.rotationCompliance !== null && m.rotationCompliance >= 80 ? 'text-emerald-700' : 'text-amber-700',
    },
    {
      id: 'unused-credentials',
      label: 'Unused credentials',
      value: formatNumber(m.unusedCredentials),
      href: inv({ finding: 'unused-cred' }),
      note: `on ${countOf(m.unusedCredentialIdentities, 'identity', 'identities')}, unused ${m.dormantDays}+ days`,
      tone: 'text-amber-700',
    },
    {
      id: 'privileged-workloads',
      label: 'Privileged workload identities',
      value: formatNumber(m.privilegedWorkloads),
      href: inv({ kind: [...WORKLOAD_KINDS], privileged: 'yes' }),
      note: 'service accounts, workloads and CI/CD',
      tone: 'text-amber-700',
    },
    {
      id: 'failed-auth',
      label: 'Failed authentications (30 days)',
      value: formatNumber(m.failedAuth30d),
      href: inv({ finding: 'auth-failures' }),
      note: `on ${countOf(m.failedAuthIdentities, 'identity', 'identities')}`,
      tone: 'text-rose-700',
    },
  ]

  const byCode: BarDatum[] = OWASP_CODES.filter((c) => (m.findingsByCode[c] ?? 0) > 0).map((c) => ({
    label: `${c} ${OWASP_LABELS[c]}`,
    value: m.findingsByCode[c],
    href: inv({ finding: c }),
  }))
  const sorted = (rec: Record<string, number>) => Object.entries(rec).sort((a, b) => b[1] - a[1])
  const byKind: BarDatum[] = sorted(m.byKind).map(([k, v]) => ({
    label: KIND_LABELS[k as keyof typeof KIND_LABELS] ?? k,
    value: v,
    href: inv({ kind: [k as IdentityFilter['kind'][number]] }),
  }))
  const bySource: BarDatum[] = sorted(m.bySource).map(([id, v]) => ({ label: d.sourceNames[id] ?? 'Removed source', value: v, href: inv({ source: [id] }) }))
  const byEnv: BarDatum[] = ENVIRONMENTS.filter((e) => m.byEnvironment[e]).map((e) => ({
    label: e[0].toUpperCase() + e.slice(1),
    value: m.byEnvironment[e],
    href: inv({ env: [e] }),
    color: ENV_COLORS[e],
  }))
  const trendRows = d.trend.map((p) => ({
    day: p.day,
    unowned: p.unowned,
    dormant: p.dormant,
    overprivileged: p.overprivileged,
    compliance: p.rotationCompliance,
    shortLived: p.shortLivedShare,
  }))
  const ex = d.exchanges
  const exPlus = ex.capped ? '+' : ''

  return (
    <>
      <PageHeader
        title="Overview"
        description={
          <>
            What {ctx.org.name} holds, and what needs attention.{' '}
            {d.live ? 'Live counts.' : <>Counts as of {formatDateTime(d.asOf)} (refreshed after every findings recompute and nightly).</>}
          </>
        }
        actions={
          <Link href={`${base}/findings`} className="text-sm font-medium text-indigo-700 hover:underline">
            All findings →
          </Link>
        }
      />
      <div className="grid gap-4 sm:grid-cols-2 xl:grid-cols-4" data-testid="dashboard-cards">
        {cards.map((c) => (
          <Link
            key={c.id}
            href={c.href}
            data-testid={`card-${c.id}`}
            className="group rounded-lg border border-slate-200 bg-white p-4 shadow-sm transition hover:border-indigo-300 hover:shadow focus-visible:outline-none focus-visible:ring-2 focus-visible:ring-indigo-500"
          >
            <p className="text-sm font-medium text-slate-500">{c.label}</p>
            <p className={`mt-1.5 text-3xl font-semibold tabular-nums ${c.tone}`} data-testid={`value-${c.id}`}>
              {c.value}
            </p>
            <p className="mt-1 text-xs text-slate-500">{c.note}</p>
          </Link>
        ))}
      </div>

      <div className="mt-6 grid gap-4 xl:grid-cols-2">
        <Card
          title="Identities with open findings, by OWASP NHI Top 10"
          action={
            <Link href={`${base}/findings`} className="text-xs font-medium text-indigo-700 hover:underline">
              Findings
            </Link>
          }
        >
          {byCode.length ? (
            <BarListChart data={byCode} name="Findings by OWASP code" color="#e11d48" testId="chart-owasp" />
          ) : (
            <p className="py-6 text-center text-sm text-slate-500">No open findings. The next recompute runs tonight.</p>
          )}
        </Card>
        <Card
          title="Trends"
          action={
            <nav className="flex gap-1" aria-label="Trend range">
              {TREND_RANGES.map((r) => (
                <Link
                  key={r}
                  href={`${base}?range=${r}`}
                  aria-current={r === range ? 'page' : undefined}
                  className={`rounded px-2 py-0.5 text-xs font-medium ${r === range ? 'bg-indigo-600 text-white' : 'text-slate-600 hover:bg-slate-100'}`}
                >
                  {r === 365 ? '1 year' : `${r} days`}
                </Link>
              ))}
            </nav>
          }
        >
          <TrendChart
            rows={trendRows}
            series={[
              { key: 'unowned', label: 'Without owner', color: '#e11d48' },
              { key: 'dormant', label: 'Dormant', color: '#f59e0b' },
              { key: 'overprivileged', label: 'Overprivileged', color: '#6366f1' },
            ]}
          />
          <p className="mt-3 text-xs font-medium text-slate-500">Secret rotation compliance</p>
          <TrendChart rows={trendRows} series={[{ key: 'compliance', label: 'Rotated within limit', color: '#10b981' }]} height={140} percent />
        </Card>
      </div>

      <Card
        className="mt-4"
        title="Runtime posture"
        action={
          <Link href={`${base}/federation`} className="text-xs font-medium text-indigo-700 hover:underline">
            Federation
          </Link>
        }
      >
        <div className="grid gap-6 lg:grid-cols-3" data-testid="runtime-posture">
          <dl className="space-y-3">
            <div>
              <dt className="text-xs text-slate-500">On short-lived credentials only</dt>
              <dd className="text-2xl font-semibold text-emerald-700 tabular-nums" data-testid="value-short-lived">
                {m.shortLivedShare === undefined || m.shortLivedShare === null ? '—' : `${m.shortLivedShare}%`}
              </dd>
              <dd className="text-xs text-slate-500">
                {m.shortLivedOnly === undefined
                  ? 'Counted from the next snapshot.'
                  : `${countOf(m.shortLivedOnly, 'identity', 'identities')} on federated or ephemeral credentials, ${formatNumber(m.staticOnly ?? 0)} on static secrets only`}
              </dd>
            </div>
            <div>
              <dt className="text-xs text-slate-500">Static secret left beside federation</dt>
              <dd
                className={`text-2xl font-semibold tabular-nums ${m.shortLivedAndStatic ? 'text-amber-700' : 'text-slate-900'}`}
                data-testid="value-static-beside"
              >
                {formatNumber(m.shortLivedAndStatic ?? 0)}
              </dd>
              <dd className="text-xs text-slate-500">revoke the static one (finding NHI4)</dd>
            </div>
          </dl>
          <dl className="space-y-3">
            <div>
              <dt className="text-xs text-slate-500">Tokens issued by exchange (24 h)</dt>
              <dd className="text-2xl font-semibold tabular-nums" data-testid="value-exchanges-issued">
                {formatNumber(ex.issued)}
                {exPlus}
              </dd>
            </div>
            <div>
              <dt className="text-xs text-slate-500">Exchanges refused (24 h)</dt>
              <dd className={`text-2xl font-semibold tabular-nums ${ex.refused ? 'text-rose-700' : 'text-slate-900'}`} data-testid="value-exchanges-refused">
                {formatNumber(ex.refused)}
                {exPlus}
              </dd>
              <dd className="text-xs text-slate-500">
                {ex.reasons.length
                  ? ex.reasons
                      .slice(0, 4)
                      .map((r) => `${r.reason.replaceAll('-', ' ')} ${formatNumber(r.count)}`)
                      .join(' · ')
                  : 'none refused'}
              </dd>
            </div>
            {d.leases ? (
              <div>
                <dt className="text-xs text-slate-500">
                  <Link href={`${base}/credentials`} className="hover:underline">
                    Database leases
                  </Link>
                </dt>
                <dd className="text-2xl font-semibold tabular-nums" data-testid="value-leases-active">
                  {formatNumber(d.leases.active)} <span className="text-sm font-normal text-slate-500">active</span>
                </dd>
                <dd className="text-xs text-slate-500" data-testid="value-leases-detail">
                  {formatNumber(d.leases.ended24h)} ended in 24 h
                  {d.leases.stuck ? <span className="text-rose-700"> · {formatNumber(d.leases.stuck)} stuck (roles not dropped)</span> : null}
                </dd>
              </div>
            ) : null}
          </dl>
          <div>
            <p className="text-xs font-medium text-slate-500">Identities on short-lived credentials only</p>
            <TrendChart rows={trendRows} series={[{ key: 'shortLived', label: 'Short-lived only', color: '#10b981' }]} height={140} percent />
          </div>
        </div>
      </Card>

      <div className="mt-4 grid gap-4 lg:grid-cols-3">
        <Card title="By kind">
          <BarListChart data={byKind} name="Identities by kind" testId="chart-kind" />
        </Card>
        <Card title="By source">
          <BarListChart data={bySource} name="Identities by source" color="#0ea5e9" testId="chart-source" limit={10} more="sources" />
        </Card>
        <Card title="By environment">
          <BarListChart data={byEnv} name="Identities by environment" testId="chart-env" />
        </Card>
      </div>

      <div className="mt-4 grid gap-4 lg:grid-cols-2">
        <Card title="Review campaigns in progress">
          {d.campaigns.length === 0 ? (
            <p className="py-4 text-sm text-slate-500" data-testid="campaigns-empty">
              No active campaigns. Launch an access review to have owners confirm who still needs their identities.
            </p>
          ) : (
            <ul className="space-y-3" data-testid="campaigns">
              {d.campaigns.map((c) => {
                const p = c.itemCount ? Math.round((c.decidedCount / c.itemCount) * 100) : 0
                return (
                  <li key={c.id}>
                    <div className="flex items-baseline justify-between gap-2 text-sm">
                      <Link href={`${base}/campaigns/${c.id}`} className="truncate font-medium text-slate-800 hover:underline">
                        {c.name}
                      </Link>
                      <span className="shrink-0 tabular-nums text-slate-600">
                        {formatNumber(c.decidedCount)} / {formatNumber(c.itemCount)} decided{c.dueAt ? ` · due ${formatDate(c.dueAt)}` : ''}
                      </span>
                    </div>
                    <div
                      className="mt-1 h-2 rounded-full bg-slate-100"
                      role="progressbar"
                      aria-valuenow={p}
                      aria-valuemin={0}
                      aria-valuemax={100}
                      aria-label={`${c.name} progress`}
                    >
                      <div className="h-2 rounded-full bg-indigo-500" style={{ width: `${p}%` }} />
                    </div>
                  </li>
                )
              })}
            </ul>
          )}
        </Card>
        <Card title="Remediation time (decision → applied)">
          {d.remediation ? (
            <dl className="grid grid-cols-3 gap-4 text-center" data-testid="remediation">
              <div>
                <dt className="text-xs text-slate-500">Median</dt>
                <dd className="text-2xl font-semibold tabular-nums">{hours(d.remediation.medianHours)}</dd>
              </div>
              <div>
                <dt className="text-xs text-slate-500">90th percentile</dt>
                <dd className="text-2xl font-semibold tabular-nums">{hours(d.remediation.p90Hours)}</dd>
              </div>
              <div>
                <dt className="text-xs text-slate-500">Remediations</dt>
                <dd className="text-2xl font-semibold tabular-nums">{formatNumber(d.remediation.count)}</dd>
              </div>
            </dl>
          ) : (
            <p className="py-4 text-sm text-slate-500" data-testid="remediation-empty">
              No remediations yet. Revocations decided in review campaigns show here once they are applied.
            </p>
          )}
        </Card>
      </div>
    </>
  )
}

function hours(h: number) {
  if (h < 1) return `${Math.max(1, Math.round(h * 60))} min`
  if (h < 48) return `${h.toFixed(1)} h`
  return `${(h / 24).toFixed(1)} d`
}
