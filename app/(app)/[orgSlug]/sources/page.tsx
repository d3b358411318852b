import type { Metadata } from 'next'
import Link from 'next/link'
import { Badge, type BadgeTone } from '@/components/ui/badge'
import { buttonClass } from '@/components/ui/button'
import { EmptyState } from '@/components/ui/empty-state'
import { Forbidden } from '@/components/ui/forbidden'
import { formatAgo, formatDateTime, formatNumber, renderTime } from '@/components/ui/format'
import { PageHeader } from '@/components/ui/page-header'
import { pageAllows, pageContext } from '@/lib/auth/session'
import { can } from '@/lib/auth/permissions'
import { listSources } from '@/lib/sources/queries'
import { FORMAT_INFO } from '@/lib/sources/schemas'
import { EnvironmentForm } from './_components/environment-form'
import { NewSourceForm } from './_components/new-source-form'
import { ScheduleForm } from './_components/schedule-form'
import { SyncNowButton } from './_components/sync-now-button'

export const metadata: Metadata = { title: 'Sources' }

const STATUS_TONE: Record<string, BadgeTone> = { succeeded: 'green', partial: 'amber', failed: 'red' }

export default async function SourcesPage({ params }: { params: Promise<{ orgSlug: string }> }) {
  const { orgSlug } = await params
  const ctx = await pageContext(orgSlug)
  if (!(await pageAllows(ctx, 'source:read', 'sources'))) return <Forbidden orgSlug={ctx.org.slug} what="sources" />
  const sources = await listSources(ctx)
  const manage = can(ctx.role, 'source:manage')
  const now = renderTime()
  const base = `/${ctx.org.slug}`
  return (
    <>
      <PageHeader
        title="Sources"
        description="Where identities come from: live connectors that sync on a schedule, and files you import."
        actions={manage ? <Link href={`${base}/sources/import`} className={buttonClass('primary')}>Import a file</Link> : null}
      />
      <div className="overflow-x-auto rounded-lg border border-slate-200 bg-white shadow-sm">
        {sources.length === 0 ? (
          <EmptyState title="No sources yet">Create an import source below, then upload a CSV or JSON export.</EmptyState>
        ) : (
          <table className="min-w-full text-sm" data-testid="sources-table">
            <thead className="bg-slate-50 text-left text-xs uppercase tracking-wide text-slate-500">
              <tr>
                <th scope="col" className="px-4 py-2">Source</th>
                <th scope="col" className="px-4">Type</th>
                <th scope="col" className="px-4 text-right">Identities</th>
                <th scope="col" className="px-4" title="The environment given to identities the source does not label">Environment</th>
                <th scope="col" className="px-4">Last sync</th>
                <th scope="col" className="px-4">Schedule</th>
                <th scope="col" className="px-4"><span className="sr-only">Actions</span></th>
              </tr>
            </thead>
            <tbody className="divide-y divide-slate-100">
              {sources.map((s) => (
                <tr key={s.id} className="align-top hover:bg-slate-50" data-testid={`source-${s.name}`}>
                  <td className="px-4 py-3 font-medium text-slate-900">{s.name}</td>
                  <td className="px-4 py-3 text-slate-600">
                    {s.importFormat ? FORMAT_INFO[s.importFormat].label : s.type}
                    <div className="mt-0.5">
                      {s.live ? <Badge tone="indigo">live connector</Badge> : s.importFormat ? <Badge tone="gray">file import</Badge> : s.simulated ? <Badge tone="violet" title="Demo source: actions are simulated and change nothing outside Custodian">demo (simulated)</Badge> : null}
                    </div>
                  </td>
                  <td className="px-4 py-3 text-right tabular-nums">
                    <Link href={`${base}/identities?source=${s.id}`} className="text-indigo-700 hover:underline">{formatNumber(s.identities)}</Link>
                    {s.deleted ? <div className="text-xs text-slate-500">{formatNumber(s.deleted)} deleted</div> : null}
                  </td>
                  <td className="px-4 py-3 text-slate-600">
                    {manage ? (
                      <EnvironmentForm orgSlug={ctx.org.slug} sourceId={s.id} sourceName={s.name} environment={s.defaultEnvironment} unknown={s.unknownEnvironment} />
                    ) : (
                      (s.defaultEnvironment ?? <span className="text-xs text-slate-400">not set</span>)
                    )}
                  </td>
                  <td className="max-w-sm px-4 py-3">
                    {s.activeJob ? (
                      <span className="text-slate-600">
                        <Badge tone="blue">{s.activeJob.type === 'import_file' ? 'importing' : 'syncing'} · {s.activeJob.status}</Badge>
                        {s.activeJob.total ? <span className="ml-2 text-xs tabular-nums">{Math.min(100, Math.round((100 * s.activeJob.progress) / s.activeJob.total))}%</span> : null}
                      </span>
                    ) : s.lastSyncStatus ? (
                      <>
                        <Badge tone={STATUS_TONE[s.lastSyncStatus] ?? 'gray'}>{s.lastSyncStatus}</Badge>{' '}
                        <span className="text-xs text-slate-500" title={formatDateTime(s.lastSyncAt)}>{formatAgo(s.lastSyncAt, now)}</span>
                        {s.lastSyncError ? <p className="mt-1 break-words text-xs text-rose-700" data-testid="sync-error">{s.lastSyncError}</p> : null}
                      </>
                    ) : (
                      <span className="text-xs text-slate-500">never</span>
                    )}
                  </td>
                  <td className="px-4 py-3 text-slate-600">{s.live ? (manage ? <ScheduleForm orgSlug={ctx.org.slug} sourceId={s.id} schedule={s.syncSchedule} /> : (s.syncSchedule ?? 'manual only')) : '—'}</td>
                  <td className="whitespace-nowrap px-4 py-3 text-right">
                    {manage && s.live ? <SyncNowButton orgSlug={ctx.org.slug} sourceId={s.id} busy={!!s.activeJob} /> : null}
                    {manage && s.importFormat ? (
                      <Link href={`${base}/sources/import?source=${s.id}`} className={buttonClass('secondary', 'sm')}>Import file</Link>
                    ) : null}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </div>
      {manage ? <NewSourceForm orgSlug={ctx.org.slug} /> : null}
    </>
  )
}
