import type { Metadata } from 'next'
import Link from 'next/link'
import { actionsColumn, listColumns } from '@/components/data-table/list-columns'
import { ListTable } from '@/components/data-table/list-table'
import { type ListPageProps, pageOf, paging } from '@/components/data-table/search-params'
import { Badge } from '@/components/ui/badge'
import { buttonClass } from '@/components/ui/button'
import { EmptyState } from '@/components/ui/empty-state'
import { Forbidden } from '@/components/ui/forbidden'
import { formatNumber } from '@/components/ui/format'
import { PageHeader } from '@/components/ui/page-header'
import { ENVIRONMENT_TONES, toneOf } from '@/components/ui/tones'
import { ROUTE_STATUS_TONES } from '@/components/gateway/tones'
import { pageAllows, pageContext } from '@/lib/auth/session'
import { can } from '@/lib/auth/permissions'
import { listRoutes } from '@/lib/gateway/queries'
import { AUTH_KIND_LABELS, type AuthKind } from '@/lib/gateway/schemas'
import { parseRouteSearchParams } from './search-params'

export const metadata: Metadata = { title: 'Gateway' }

const COLUMNS = listColumns({
  name: 'Route',
  prefix: ['Prefix', 'font-mono text-xs'],
  upstream: ['Upstream', 'text-slate-600'],
  auth: ['Upstream auth', 'text-slate-600'],
  rules: ['Rules', 'tabular-nums', { align: 'end' }],
  calls: ['Calls (24 h)', 'tabular-nums', { align: 'end' }],
  status: 'Status',
  actions: actionsColumn(),
})

export default async function GatewayPage({ params, searchParams }: ListPageProps) {
  const ctx = await pageContext((await params).orgSlug)
  if (!(await pageAllows(ctx, 'source:read', 'gateway'))) return <Forbidden orgSlug={ctx.org.slug} what="gateway routes" />
  const p = parseRouteSearchParams(await searchParams)
  // Routes are tens, not thousands: the query returns them all with their counts.
  const routes = await listRoutes(ctx)
  const manage = can(ctx.role, 'gateway:manage')
  const base = `/${ctx.org.slug}/gateway`
  const newRoute = manage ? (
    <Link href={`${base}/new`} className={buttonClass('primary')} data-testid="new-route">
      New route
    </Link>
  ) : null
  return (
    <>
      <PageHeader
        title="Gateway"
        description="Identities call upstream APIs through Custodian with a gateway token: the gateway holds the credential, enforces the rules and records every call."
        actions={newRoute}
      />
      <ListTable
        ariaLabel="Gateway routes"
        testId="routes-table"
        columns={COLUMNS}
        {...paging(p, routes.length)}
        emptyState={
          <EmptyState title="No routes yet" action={newRoute}>
            A route maps a path prefix at the gateway (like <code className="font-mono">/payments</code>) to an upstream API. Add one, then give identities
            rules on it.
          </EmptyState>
        }
        rows={pageOf(routes, p).map((r) => ({
          id: r.id,
          href: `${base}/${r.id}`,
          attrs: { 'data-testid': `route-${r.pathPrefix}` },
          cells: {
            name: (
              <span className="font-medium text-slate-900">
                {r.name} {r.environment !== 'unknown' ? <Badge tone={toneOf(ENVIRONMENT_TONES, r.environment)}>{r.environment}</Badge> : null}
              </span>
            ),
            prefix: r.pathPrefix,
            upstream: r.upstreamHost,
            auth: AUTH_KIND_LABELS[r.authKind as AuthKind] ?? r.authKind,
            rules: formatNumber(r.rules),
            calls: (
              <>
                {formatNumber(r.calls24h)}
                {r.refused24h ? <div className="text-xs text-rose-700">{formatNumber(r.refused24h)} refused</div> : null}
              </>
            ),
            status: <Badge tone={toneOf(ROUTE_STATUS_TONES, r.status)}>{r.status}</Badge>,
            actions: (
              <Link href={`${base}/${r.id}`} className={buttonClass('secondary', 'sm')}>
                Open
              </Link>
            ),
          },
        }))}
      />
    </>
  )
}
