import type { Metadata } from 'next'
import Link from 'next/link'
import { actionsColumn, listColumns } from '@/components/data-table/list-columns'
import { ListTable } from '@/components/data-table/list-table'
import { type ListPageProps, pageOf, paging } from '@/components/data-table/search-params'
import { ActiveLeaseActions, StuckLeaseActions } from '@/components/leases/lease-actions'
import { formatTtl } from '@/components/leases/tones'
import { Badge } from '@/components/ui/badge'
import { EmptyState } from '@/components/ui/empty-state'
import { Forbidden } from '@/components/ui/forbidden'
import { formatAgo, formatDateTime, formatNumber, renderTime } from '@/components/ui/format'
import { PageHeader } from '@/components/ui/page-header'
import { pageAllows, pageContext } from '@/lib/auth/session'
import { can } from '@/lib/auth/permissions'
import { leaseSources, listLeases, listTemplates } from '@/lib/leases/queries'
import { principalOptions } from '@/lib/principals/queries'
import { LeaseStatus, LeaseTable, TableSection } from './_components/lease-table'
import { NewTemplate, TemplateStatusButton } from './_components/template-form'
import { parseCredentialsSearchParams } from './search-params'

export const metadata: Metadata = { title: 'Credentials' }

const TEMPLATE_COLUMNS = listColumns({
  name: 'Template',
  source: ['Source', 'text-slate-600'],
  grants: 'Grants',
  who: ['Who may use it', 'text-slate-700'],
  ttl: ['TTL (default / max)', 'tabular-nums'],
  active: ['Active leases', 'tabular-nums', { align: 'end' }],
  status: 'Status',
  actions: actionsColumn(),
})

export default async function CredentialsPage({ params, searchParams }: ListPageProps) {
  const ctx = await pageContext((await params).orgSlug)
  if (!(await pageAllows(ctx, 'lease:read', 'credentials'))) return <Forbidden orgSlug={ctx.org.slug} what="ephemeral credentials" />
  const p = parseCredentialsSearchParams(await searchParams)
  const now = renderTime()
  const manage = can(ctx.role, 'lease:manage')
  const [templates, active, stuck, ended, sources, principals] = await Promise.all([
    listTemplates(ctx),
    listLeases(ctx, { status: 'active', limit: 500 }, new Date(now)),
    listLeases(ctx, { status: 'stuck', limit: 500 }, new Date(now)),
    listLeases(ctx, { status: 'ended', limit: 100 }, new Date(now)),
    manage ? leaseSources(ctx) : Promise.resolve([]),
    manage ? principalOptions(ctx) : Promise.resolve({ identities: [], teams: [], tags: [] }),
  ])
  const base = `/${ctx.org.slug}`
  return (
    <>
      <PageHeader
        title="Credentials"
        description="Ephemeral database credentials: a template says what a generated PostgreSQL role may do and for how long; each lease is one role, dropped when it ends."
        actions={manage ? <NewTemplate orgSlug={ctx.org.slug} sources={sources} principals={principals} /> : null}
      />
      <div className="space-y-6">
        {stuck.length ? (
          <LeaseTable
            name="stuck"
            title={`Stuck (${formatNumber(stuck.length)}): Custodian could not drop these roles`}
            danger
            sectionTestId="stuck-leases"
            leases={stuck}
            base={base}
            page={{ page: p.spage, size: p.ssize }}
            prefix="s"
            ariaLabel="Stuck leases"
            rowTestId={(l) => `stuck-${l.id}`}
            columns={{
              error: ['What blocks it', 'min-w-64 max-w-xl whitespace-normal break-words text-xs text-rose-800'],
              attempts: ['Attempts', 'tabular-nums', { align: 'end' }],
              actions: actionsColumn(),
            }}
            cells={(l) => ({
              error: l.lastError ?? '—',
              attempts: formatNumber(l.endAttempts),
              actions: manage ? <StuckLeaseActions orgSlug={ctx.org.slug} leaseId={l.id} roleName={l.roleName} /> : null,
            })}
          />
        ) : null}

        <TableSection id="templates" title="Templates">
          <ListTable
            ariaLabel="Credential templates"
            testId="templates-table"
            columns={TEMPLATE_COLUMNS}
            {...paging(p, templates.length)}
            emptyState={
              <EmptyState
                title="No credential templates yet"
                action={manage ? <NewTemplate orgSlug={ctx.org.slug} sources={sources} principals={principals} testId="new-template-empty" /> : null}
              >
                A template names a live PostgreSQL source and the privileges a generated role receives (for example{' '}
                <code className="font-mono">SELECT ON app.orders</code>). Workloads then lease short-lived roles from it instead of holding a password.
              </EmptyState>
            }
            rows={pageOf(templates, p).map((t) => ({
              id: t.id,
              attrs: { 'data-testid': `template-${t.name}` },
              cells: {
                name: (
                  <span className="font-medium text-slate-900">
                    {t.name}
                    {t.description ? <span className="block text-xs font-normal text-slate-500">{t.description}</span> : null}
                  </span>
                ),
                source: t.source.name,
                grants: (
                  <ul className="font-mono text-xs text-slate-700">
                    {t.grantsText.map((g) => (
                      <li key={g}>{g}</li>
                    ))}
                  </ul>
                ),
                who: t.usableBy ? (
                  t.usableBy.identityId ? (
                    <Link href={`${base}/identities/${t.usableBy.identityId}`} className="text-indigo-700 hover:underline">
                      {t.usableBy.label}
                    </Link>
                  ) : (
                    t.usableBy.label
                  )
                ) : (
                  <span
                    className="text-amber-800"
                    title="Made before templates named who may use them: no one can lease from it. Disable it and make a new one."
                  >
                    No one (make a new template)
                  </span>
                ),
                ttl: `${formatTtl(t.defaultTtlSeconds)} / ${formatTtl(t.maxTtlSeconds)}`,
                active: formatNumber(t.activeLeases),
                status: <Badge tone={t.status === 'active' ? 'green' : 'amber'}>{t.status}</Badge>,
                actions: manage ? <TemplateStatusButton orgSlug={ctx.org.slug} templateId={t.id} status={t.status} /> : null,
              },
            }))}
          />
        </TableSection>

        <LeaseTable
          name="active"
          title="Active leases"
          leases={active}
          base={base}
          page={{ page: p.lpage, size: p.lsize }}
          prefix="l"
          ariaLabel="Active leases"
          rowTestId={(l) => `active-lease-${l.id}`}
          emptyState={<EmptyState title="No active leases">When a workload or an owner asks for a credential, its role shows here until it ends.</EmptyState>}
          columns={{
            template: ['Template', 'text-slate-600'],
            who: ['Requested by', 'text-slate-600'],
            ends: ['Ends', 'tabular-nums'],
            status: 'Status',
            actions: actionsColumn(),
          }}
          cells={(l) => ({
            template: l.template.name,
            who: (
              <>
                {l.requestedBy.label}
                {l.task || l.justification ? <span className="block text-xs text-slate-500">{l.task ?? l.justification}</span> : null}
              </>
            ),
            ends: <time dateTime={l.expiresAt.toISOString()}>{formatAgo(l.expiresAt, now)}</time>,
            status: <LeaseStatus status={l.status} />,
            actions:
              manage && l.status === 'active' ? <ActiveLeaseActions orgSlug={ctx.org.slug} leaseId={l.id} canRenew={l.expiresAt < l.maxExpiresAt} /> : null,
          })}
        />

        <LeaseTable
          name="ended"
          title="Recently ended"
          leases={ended}
          base={base}
          page={{ page: p.epage, size: p.esize }}
          prefix="e"
          ariaLabel="Recently ended leases"
          emptyState={<EmptyState title="Nothing ended yet">Expired, revoked and forgotten leases show here (the last 100).</EmptyState>}
          columns={{
            template: ['Template', 'text-slate-600'],
            issued: ['Issued', 'tabular-nums'],
            ended: ['Ended', 'tabular-nums'],
            status: 'Status',
          }}
          cells={(l) => ({
            template: l.template.name,
            issued: formatDateTime(l.issuedAt),
            ended: formatDateTime(l.endedAt ?? l.expiresAt),
            status: <LeaseStatus status={l.status} />,
          })}
        />
      </div>
    </>
  )
}
