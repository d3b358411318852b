import type { Metadata } from 'next'
import Link from 'next/link'
import { listColumns, actionsColumn } from '@/components/data-table/list-columns'
import { ListTable } from '@/components/data-table/list-table'
import { type ListPageProps, pageOf, paging } from '@/components/data-table/search-params'
import { Badge } from '@/components/ui/badge'
import { buttonClass } from '@/components/ui/button'
import { EmptyState } from '@/components/ui/empty-state'
import { Forbidden } from '@/components/ui/forbidden'
import { formatAgo, formatDateTime, formatNumber, renderTime } from '@/components/ui/format'
import { PageHeader } from '@/components/ui/page-header'
import { SYNC_STATUS_TONES, toneOf } from '@/components/ui/tones'
import { pageAllows, pageContext } from '@/lib/auth/session'
import { can } from '@/lib/auth/permissions'
import { listSources } from '@/lib/sources/queries'
import { FORMAT_INFO } from '@/lib/sources/schemas'
import { EnvironmentForm } from './_components/environment-form'
import { NewSourceForm } from './_components/new-source-form'
import { ScheduleForm } from './_components/schedule-form'
import { SyncNowButton } from './_components/sync-now-button'
import { parseSourceSearchParams } from './search-params'

export const metadata: Metadata = { title: 'Sources' }

// Rows hold multi-line cells (sync state, forms): every cell sits at the top.
const TOP = { cellClassName: 'align-top py-3' }
const COLUMNS = listColumns({
  name: ['Source', undefined, TOP],
  type: ['Type', 'text-slate-600', TOP],
  identities: ['Identities', 'tabular-nums', { ...TOP, align: 'end' }],
  environment: [
    <span key="header" title="The environment given to identities the source does not label">
      Environment
    </span>,
    'whitespace-normal text-slate-600',
    TOP,
  ],
  sync: ['Last sync', 'max-w-sm whitespace-normal', TOP],
  schedule: ['Schedule', 'text-slate-600', TOP],
  actions: actionsColumn('Actions', TOP),
})

export default async function SourcesPage({ params, searchParams }: ListPageProps) {
  const ctx = await pageContext((await params).orgSlug)
  if (!(await pageAllows(ctx, 'source:read', 'sources'))) return <Forbidden orgSlug={ctx.org.slug} what="sources" />
  const p = parseSourceSearchParams(await searchParams)
  // An organization has tens of sources, not thousands: the query returns them all with their counts.
  const sources = await listSources(ctx)
  const manage = can(ctx.role, 'source:manage')
  const now = renderTime()
  const base = `/${ctx.org.slug}`
  return (
    <>
      <PageHeader
        title="Sources"
        description="Where identities come from: live connectors that sync on a schedule, and files you import."
        actions={
          manage ? (
            <Link href={`${base}/sources/import`} className={buttonClass('primary')}>
              Import a file
            </Link>
          ) : null
        }
      />
      <ListTable
        ariaLabel="Sources"
        testId="sources-table"
        columns={COLUMNS}
        {...paging(p, sources.length)}
        emptyState={<EmptyState title="No sources yet">Create an import source below, then upload a CSV or JSON export.</EmptyState>}
        rows={pageOf(sources, p).map((s) => ({
          id: s.id,
          attrs: { 'data-testid': `source-${s.name}` },
          cells: {
            name: <span className="font-medium text-slate-900">{s.name}</span>,
            type: (
              <>
                {s.importFormat ? FORMAT_INFO[s.importFormat].label : s.type}
                <div className="mt-0.5">
                  {s.live ? (
                    <Badge tone="indigo">live connector</Badge>
                  ) : s.importFormat ? (
                    <Badge tone="gray">file import</Badge>
                  ) : s.simulated ? (
                    <Badge tone="violet" title="Demo source: actions are simulated and change nothing outside Custodian">
                      demo (simulated)
                    </Badge>
                  ) : null}
                </div>
              </>
            ),
            identities: (
              <>
                <Link href={`${base}/identities?source=${s.id}`} className="text-indigo-700 hover:underline">
                  {formatNumber(s.identities)}
                </Link>
                {s.deleted ? <div className="text-xs text-slate-500">{formatNumber(s.deleted)} deleted</div> : null}
              </>
            ),
            environment: manage ? (
              <EnvironmentForm orgSlug={ctx.org.slug} sourceId={s.id} sourceName={s.name} environment={s.defaultEnvironment} unknown={s.unknownEnvironment} />
            ) : (
              (s.defaultEnvironment ?? <span className="text-xs text-slate-500">not set</span>)
            ),
            sync: s.activeJob ? (
              <span className="text-slate-600">
                <Badge tone="blue">
                  {s.activeJob.type === 'import_file' ? 'importing' : 'syncing'} · {s.activeJob.status}
                </Badge>
                {s.activeJob.total ? (
                  <span className="ml-2 text-xs tabular-nums">{Math.min(100, Math.round((100 * s.activeJob.progress) / s.activeJob.total))}%</span>
                ) : null}
              </span>
            ) : s.lastSyncStatus ? (
              <>
                <Badge tone={toneOf(SYNC_STATUS_TONES, s.lastSyncStatus)}>{s.lastSyncStatus}</Badge>{' '}
                <span className="text-xs text-slate-500" title={formatDateTime(s.lastSyncAt)}>
                  {formatAgo(s.lastSyncAt, now)}
                </span>
                {s.lastSyncError ? (
                  <p className="mt-1 break-words text-xs text-rose-700" data-testid="sync-error">
                    {s.lastSyncError}
                  </p>
                ) : null}
              </>
            ) : (
              <span className="text-xs text-slate-500">never</span>
            ),
            schedule: s.live ? (
              manage ? (
                <ScheduleForm orgSlug={ctx.org.slug} sourceId={s.id} schedule={s.syncSchedule} />
              ) : (
                (s.syncSchedule ?? 'manual only')
              )
            ) : (
              '—'
            ),
            actions: (
              <>
                {manage && s.live ? <SyncNowButton orgSlug={ctx.org.slug} sourceId={s.id} busy={!!s.activeJob} /> : null}
                {manage && s.importFormat ? (
                  <Link href={`${base}/sources/import?source=${s.id}`} className={buttonClass('secondary', 'sm')}>
                    Import file
                  </Link>
                ) : null}
              </>
            ),
          },
        }))}
      />
      {manage ? <NewSourceForm orgSlug={ctx.org.slug} /> : null}
    </>
  )
}
