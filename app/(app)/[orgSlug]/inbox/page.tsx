import type { Metadata } from 'next'
import Link from 'next/link'
import { type ListPageProps, paging } from '@/components/data-table/search-params'
import { listColumns, actionsColumn } from '@/components/data-table/list-columns'
import { ListTable } from '@/components/data-table/list-table'
import { EmptyState } from '@/components/ui/empty-state'
import { formatAgo, formatDateTime, formatNumber, renderTime } from '@/components/ui/format'
import { PageHeader } from '@/components/ui/page-header'
import { pageContext } from '@/lib/auth/session'
import { listNotifications } from '@/lib/notifications/queries'
import { MarkRead } from './_components/mark-read'
import { parseInboxSearchParams } from './search-params'

export const metadata: Metadata = { title: 'Inbox' }

const COLUMNS = listColumns({
  notification: ['Notification', 'min-w-80 max-w-2xl whitespace-normal'],
  at: ['When', 'text-slate-500'],
  actions: actionsColumn(),
})

export default async function InboxPage({ params, searchParams }: ListPageProps) {
  const ctx = await pageContext((await params).orgSlug)
  const p = parseInboxSearchParams(await searchParams)
  const list = await listNotifications(ctx, p)
  const now = renderTime()
  const base = `/${ctx.org.slug}/inbox`
  return (
    <>
      <PageHeader
        title="Inbox"
        description={<span data-testid="inbox-unread">{formatNumber(list.unread)} unread</span>}
        actions={list.unread ? <MarkRead orgSlug={ctx.org.slug} label="Mark all read" /> : null}
      />
      <nav aria-label="Inbox views" className="mb-3 inline-flex rounded-md bg-slate-100 p-0.5 text-sm">
        {(['all', 'unread'] as const).map((f) => (
          <Link
            key={f}
            href={f === 'all' ? base : `${base}?filter=unread`}
            aria-current={p.filter === f ? 'page' : undefined}
            className={`rounded px-3 py-1 font-medium ${p.filter === f ? 'bg-white text-slate-900 shadow-xs' : 'text-slate-600 hover:text-slate-900'}`}
          >
            {f === 'all' ? 'All' : 'Unread'}
          </Link>
        ))}
      </nav>
      <ListTable
        ariaLabel="Notifications"
        testId="notifications"
        columns={COLUMNS}
        {...paging({ page: p.page, size: list.pageSize }, list.total)}
        emptyState={
          <EmptyState title={p.filter === 'unread' ? 'Nothing unread' : 'No notifications yet'}>
            You are told here when you are given an identity, when someone hands one to you, and when a hand-off you proposed is answered.
          </EmptyState>
        }
        rows={list.rows.map((n) => ({
          id: n.id,
          attrs: { 'data-unread': n.readAt ? undefined : 'true' },
          cells: {
            notification: (
              <div className={n.readAt ? '' : 'font-medium'}>
                <p className="flex items-center gap-2">
                  {!n.readAt ? <span className="size-2 shrink-0 rounded-full bg-indigo-600" role="img" aria-label="unread" /> : null}
                  {n.link ? (
                    <Link href={n.link} className="text-slate-900 hover:text-indigo-700">
                      {n.title}
                    </Link>
                  ) : (
                    <span>{n.title}</span>
                  )}
                </p>
                {n.body ? <p className="mt-0.5 font-normal text-slate-600">{n.body}</p> : null}
              </div>
            ),
            at: (
              <span title={formatDateTime(n.createdAt)}>
                {formatAgo(n.createdAt, now)}
                {n.emailedAt ? ' · e-mailed' : ''}
              </span>
            ),
            actions: !n.readAt ? <MarkRead orgSlug={ctx.org.slug} ids={[n.id]} label="Mark read" /> : null,
          },
        }))}
      />
    </>
  )
}
