import type { Metadata } from 'next'
import Link from 'next/link'
import { Card } from '@/components/ui/card'
import { EmptyState } from '@/components/ui/empty-state'
import { formatAgo, formatNumber, renderTime } from '@/components/ui/format'
import { PageHeader } from '@/components/ui/page-header'
import { pageContext } from '@/lib/auth/session'
import { listNotifications } from '@/lib/notifications/queries'
import { inboxListSchema } from '@/lib/notifications/schemas'
import { MarkRead } from './_components/mark-read'

export const metadata: Metadata = { title: 'Inbox' }

export default async function InboxPage({ params, searchParams }: { params: Promise<{ orgSlug: string }>; searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const { orgSlug } = await params
  const ctx = await pageContext(orgSlug)
  const sp = await searchParams
  const p = inboxListSchema.parse({ filter: sp.filter, page: sp.page })
  const list = await listNotifications(ctx, p)
  const now = renderTime()
  const base = `/${ctx.org.slug}/inbox`
  const pages = Math.max(1, Math.ceil(list.total / list.pageSize))
  return (
    <>
      <PageHeader
        title="Inbox"
        description={<span data-testid="inbox-unread">{formatNumber(list.unread)} unread</span>}
        actions={list.unread ? <MarkRead orgSlug={ctx.org.slug} label="Mark all read" /> : null}
      />
      <nav aria-label="Inbox views" className="mb-3 inline-flex rounded-md bg-slate-100 p-0.5 text-sm">
        {(['all', 'unread'] as const).map((f) => (
          <Link key={f} href={f === 'all' ? base : `${base}?filter=unread`} aria-current={p.filter === f ? 'page' : undefined} className={`rounded px-3 py-1 font-medium ${p.filter === f ? 'bg-white text-slate-900 shadow-xs' : 'text-slate-600 hover:text-slate-900'}`}>
            {f === 'all' ? 'All' : 'Unread'}
          </Link>
        ))}
      </nav>
      <Card>
        {list.rows.length === 0 ? (
          <EmptyState title={p.filter === 'unread' ? 'Nothing unread' : 'No notifications yet'}>
            You are told here when you are given an identity, when someone hands one to you, and when a hand-off you proposed is answered.
          </EmptyState>
        ) : (
          <ul className="divide-y divide-slate-100" data-testid="notifications">
            {list.rows.map((n) => (
              <li key={n.id} className={`flex items-start justify-between gap-3 py-3 ${n.readAt ? '' : 'font-medium'}`} data-unread={n.readAt ? undefined : 'true'}>
                <div className="min-w-0 text-sm">
                  <p className="flex items-center gap-2">
                    {!n.readAt ? <span className="size-2 shrink-0 rounded-full bg-indigo-600" role="img" aria-label="unread" /> : null}
                    {n.link ? <Link href={n.link} className="text-slate-900 hover:text-indigo-700">{n.title}</Link> : <span>{n.title}</span>}
                  </p>
                  {n.body ? <p className="mt-0.5 font-normal text-slate-600">{n.body}</p> : null}
                  <p className="mt-0.5 text-xs font-normal text-slate-500">{formatAgo(n.createdAt, now)}{n.emailedAt ? ' · e-mailed' : ''}</p>
                </div>
                {!n.readAt ? <MarkRead orgSlug={ctx.org.slug} ids={[n.id]} label="Mark read" /> : null}
              </li>
            ))}
          </ul>
        )}
        {pages > 1 ? (
          <nav className="mt-3 flex justify-between text-sm" aria-label="Pages">
            <span className="text-slate-500">Page {p.page} of {formatNumber(pages)}</span>
            <span className="flex gap-3">
              {p.page > 1 ? <Link className="text-indigo-700 hover:underline" href={`${base}?filter=${p.filter}&page=${p.page - 1}`}>Previous</Link> : null}
              {p.page < pages ? <Link className="text-indigo-700 hover:underline" href={`${base}?filter=${p.filter}&page=${p.page + 1}`}>Next</Link> : null}
            </span>
          </nav>
        ) : null}
      </Card>
    </>
  )
}
