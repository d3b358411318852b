import type { Metadata } from 'next'
import Link from 'next/link'
import { ListTable, type ListColumn } from '@/components/data-table/list-table'
import { paging, type ListPageProps } from '@/components/data-table/search-params'
import { Badge, type BadgeTone } from '@/components/ui/badge'
import { EmptyState } from '@/components/ui/empty-state'
import { Forbidden } from '@/components/ui/forbidden'
import { countOf, formatAgo, formatDateTime, renderTime } from '@/components/ui/format'
import { PageHeader } from '@/components/ui/page-header'
import { pageAllows, pageContext } from '@/lib/auth/session'
import { listDeliveries, listSubscriptions } from '@/lib/webhooks/queries'
import { WEBHOOK_EVENTS, WEBHOOK_EVENT_LABELS, type DeliveryStatus } from '@/lib/webhooks/schemas'
import { parseWebhooksSearchParams } from './search-params'
import { CreateWebhook, RedeliverButton, WebhookActions } from './webhook-dialogs'

export const metadata: Metadata = { title: 'Webhooks' }

const SUB_COLUMNS: ListColumn[] = [
  { id: 'url', header: 'Endpoint', className: 'whitespace-normal' },
  { id: 'events', header: 'Events', className: 'whitespace-normal' },
  { id: 'deliveries', header: 'Deliveries' },
  { id: 'status', header: 'Status' },
  { id: 'actions', header: <span className="sr-only">Actions</span>, align: 'end' },
]

const LOG_COLUMNS: ListColumn[] = [
  { id: 'at', header: 'Created' },
  { id: 'event', header: 'Event' },
  { id: 'status', header: 'Status' },
  { id: 'code', header: 'Response', className: 'tabular-nums' },
  { id: 'duration', header: 'Duration', className: 'tabular-nums' },
  { id: 'attempts', header: 'Attempts', className: 'tabular-nums' },
  { id: 'error', header: 'Last error', className: 'whitespace-normal text-xs text-slate-600' },
  { id: 'actions', header: <span className="sr-only">Actions</span>, align: 'end' },
]

const STATUS_TONE: Record<DeliveryStatus, BadgeTone> = { pending: 'amber', delivered: 'green', failed: 'red' }

export default async function WebhooksPage({ params, searchParams }: ListPageProps) {
  const ctx = await pageContext((await params).orgSlug)
  if (!(await pageAllows(ctx, 'webhook:manage', 'settings/webhooks'))) return <Forbidden orgSlug={ctx.org.slug} what="webhooks" />
  const p = parseWebhooksSearchParams(await searchParams)
  const subs = await listSubscriptions(ctx)
  const selected = subs.find((s) => s.id === p.subscription) ?? subs[0] ?? null
  const log = selected ? await listDeliveries(ctx, selected.id, { page: p.page, size: p.size }) : null
  const now = renderTime()
  const base = `/${ctx.org.slug}/settings/webhooks`
  return (
    <div className="space-y-5">
      <PageHeader
        title="Webhooks"
        description={
          <>
            Custodian POSTs signed JSON events to your endpoints as they happen: identities, findings, decisions, remediations, campaigns and leaked tokens.
            Each request carries <code className="font-mono text-xs">webhook-id</code>, <code className="font-mono text-xs">webhook-timestamp</code> and{' '}
            <code className="font-mono text-xs">webhook-signature</code> (HMAC-SHA256, the Standard Webhooks scheme).{' '}
            <Link href={`/${ctx.org.slug}/settings`} className="text-indigo-700 underline hover:no-underline">
              Back to settings
            </Link>
          </>
        }
        actions={<CreateWebhook orgSlug={ctx.org.slug} events={WEBHOOK_EVENTS.map((e) => ({ value: e, label: WEBHOOK_EVENT_LABELS[e] }))} />}
      />
      <ListTable
        ariaLabel="Webhook subscriptions"
        testId="webhooks"
        paramPrefix="s"
        toolbar={<h2 className="text-sm font-semibold text-slate-900">Subscriptions ({subs.length})</h2>}
        columns={SUB_COLUMNS}
        {...paging({ page: 1, size: 100 }, subs.length)}
        emptyState={
          <EmptyState title="No webhooks yet">
            Add an endpoint to receive events as they happen, for example to open a ticket when a token leaks or to post a campaign’s close to chat.
          </EmptyState>
        }
        rows={subs.map((s) => ({
          id: s.id,
          attrs: { 'data-webhook-url': s.url, 'data-selected': s.id === selected?.id ? 'true' : undefined },
          cells: {
            url: (
              <span>
                <Link href={`${base}?subscription=${s.id}`} className="block font-medium break-all text-indigo-700 hover:underline" scroll={false}>
                  {s.url}
                </Link>
                <span className="block text-xs text-slate-500">
                  {s.description ? `${s.description} · ` : ''}secret <span className="font-mono">{s.secretPrefix}…</span>
                </span>
              </span>
            ),
            events: <span className="text-xs text-slate-700">{s.events.length === WEBHOOK_EVENTS.length ? 'All events' : s.events.join(', ')}</span>,
            deliveries: (
              <span className="text-sm">
                {countOf(s.deliveries.total, 'delivery', 'deliveries')}
                {s.deliveries.failed ? <span className="block text-xs text-rose-700">{s.deliveries.failed} failed</span> : null}
                {s.deliveries.lastAt ? (
                  <span className="block text-xs text-slate-500" title={formatDateTime(s.deliveries.lastAt)}>
                    last {formatAgo(s.deliveries.lastAt, now)}
                  </span>
                ) : null}
              </span>
            ),
            status: s.enabled ? <Badge tone="green">enabled</Badge> : <Badge tone="gray">disabled</Badge>,
            actions: <WebhookActions orgSlug={ctx.org.slug} subscriptionId={s.id} url={s.url} enabled={s.enabled} />,
          },
        }))}
      />
      {selected && log ? (
        <ListTable
          ariaLabel="Delivery log"
          testId="webhook-deliveries"
          toolbar={
            <h2 className="text-sm font-semibold text-slate-900">
              Delivery log <span className="font-normal break-all text-slate-600">· {selected.url}</span>
            </h2>
          }
          columns={LOG_COLUMNS}
          {...paging(p, log.total)}
          emptyState={<EmptyState title="Nothing delivered yet">Events this endpoint subscribes to appear here. Send a test event to try it now.</EmptyState>}
          rows={log.rows.map((d) => ({
            id: d.id,
            attrs: { 'data-delivery-status': d.status, 'data-event-type': d.eventType },
            cells: {
              at: <span title={formatDateTime(d.createdAt)}>{formatAgo(d.createdAt, now)}</span>,
              event: (
                <span>
                  <span className="block font-mono text-xs text-slate-900">{d.eventType}</span>
                  <span className="block font-mono text-[11px] text-slate-500">
                    {d.eventId}
                    {d.redeliveryOfId ? ' · redelivery' : ''}
                  </span>
                </span>
              ),
              status: (
                <span>
                  <Badge tone={STATUS_TONE[d.status]}>{d.status}</Badge>
                  {d.status === 'pending' && d.nextAttemptAt && d.attempts > 0 ? (
                    <span className="block text-xs text-slate-500">retry {formatDateTime(d.nextAttemptAt)}</span>
                  ) : null}
                </span>
              ),
              code: d.lastStatusCode ?? <span className="text-slate-400">—</span>,
              duration: d.lastDurationMs !== null ? `${d.lastDurationMs} ms` : <span className="text-slate-400">—</span>,
              attempts: d.attempts,
              error: d.lastError ?? '',
              actions: d.status === 'pending' ? null : <RedeliverButton orgSlug={ctx.org.slug} deliveryId={d.id} disabled={!selected.enabled} />,
            },
          }))}
        />
      ) : null}
    </div>
  )
}
