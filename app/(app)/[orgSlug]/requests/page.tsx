import type { Metadata } from 'next'
import Link from 'next/link'
import { PersonName } from '@/components/members/person-status'
import { listColumns } from '@/components/data-table/list-columns'
import { ListTable, type ListRow } from '@/components/data-table/list-table'
import { type ListPageProps, pageOf, paging } from '@/components/data-table/search-params'
import { Badge, PrivilegedBadge } from '@/components/ui/badge'
import { Card } from '@/components/ui/card'
import { EmptyState } from '@/components/ui/empty-state'
import { formatAgo, formatDateTime, renderTime } from '@/components/ui/format'
import { PageHeader } from '@/components/ui/page-header'
import { REMEDIATION_TONES, REQUEST_STATUS_TONES, toneOf } from '@/components/ui/tones'
import { pageContext } from '@/lib/auth/session'
import { can } from '@/lib/auth/permissions'
import { listMyRequests, listRequestQueue, type OwnerRequestDto } from '@/lib/requests/queries'
import { OWNER_REQUEST_LABELS, type OwnerRequestKind } from '@/lib/requests/schemas'
import { DecideRequest } from './_components/decide-request'
import { parseRequestSearchParams } from './search-params'

export const metadata: Metadata = { title: 'Requests' }

const kindLabel = (k: string) => OWNER_REQUEST_LABELS[k as OwnerRequestKind] ?? k

export default async function RequestsPage({ params, searchParams }: ListPageProps) {
  const ctx = await pageContext((await params).orgSlug)
  const p = parseRequestSearchParams(await searchParams)
  const canDecide = can(ctx.role, 'identity:remediate')
  const seesQueue = canDecide || can(ctx.role, 'audit:read')
  const [queue, mine] = await Promise.all([seesQueue ? listRequestQueue(ctx) : Promise.resolve(null), listMyRequests(ctx)])
  const now = renderTime()
  const base = `/${ctx.org.slug}`

  return (
    <div className="space-y-5">
      <PageHeader
        title="Requests"
        description={
          seesQueue
            ? 'Owners ask to revoke access or to revoke or rotate credentials of the identities they own. Approving runs the change like any other remediation.'
            : 'What you asked governance to change on the identities you own, and their answers.'
        }
      />
      {queue ? (
        <Card title={`Waiting for a decision (${queue.pendingTotal})`}>
          {queue.pending.length === 0 ? (
            <p className="text-sm text-slate-500" data-testid="no-pending-requests">
              No request is waiting. Owners ask from the credentials and grants of their identities&apos; pages.
            </p>
          ) : (
            <ul className="divide-y divide-slate-100 text-sm" data-testid="pending-requests">
              {queue.pending.map((r) => (
                <li key={r.id} className="flex flex-wrap items-start justify-between gap-3 py-3" data-request-id={r.id}>
                  <RequestSummary r={r} base={base} now={now} />
                  {canDecide ? (
                    <DecideRequest orgSlug={ctx.org.slug} ownerRequestId={r.id} label={`${kindLabel(r.kind)} ${r.target} of ${r.identity.name}`} />
                  ) : null}
                </li>
              ))}
            </ul>
          )}
        </Card>
      ) : null}
      {queue && queue.decided.length ? (
        <ListTable
          ariaLabel="Recently decided"
          testId="requests"
          paramPrefix="d"
          toolbar={<h2 className="text-sm font-semibold text-slate-900">Recently decided</h2>}
          columns={requestColumns(true)}
          rows={pageOf(queue.decided, { page: p.dpage, size: p.dsize }).map((r) => requestRow(r, base, now, true))}
          {...paging({ page: p.dpage, size: p.dsize }, queue.decided.length)}
        />
      ) : null}
      {mine.length === 0 ? (
        <Card title="Your requests (0)">
          <EmptyState title="You have not asked for anything yet">
            On an identity you own, use <strong>Request revocation</strong> or <strong>Request rotation</strong> next to a grant or credential.{' '}
            <Link href={`${base}/my`} className="text-indigo-700 hover:underline">
              Your identities
            </Link>
          </EmptyState>
        </Card>
      ) : (
        <ListTable
          ariaLabel="Your requests"
          testId="requests"
          toolbar={<h2 className="text-sm font-semibold text-slate-900">Your requests ({mine.length})</h2>}
          columns={requestColumns(false)}
          rows={pageOf(mine, p).map((r) => requestRow(r, base, now, false))}
          {...paging(p, mine.length)}
        />
      )}
    </div>
  )
}

function RequestSummary({ r, base, now }: { r: OwnerRequestDto; base: string; now: number }) {
  return (
    <div className="min-w-0 space-y-0.5">
      <p>
        <span className="font-medium">{kindLabel(r.kind)}</span> <span className="font-mono text-xs">{r.target}</span> of{' '}
        <Link className="text-indigo-700 hover:underline" href={`${base}/identities/${r.identity.id}`}>
          {r.identity.name}
        </Link>
        <PrivilegedBadge privileged={r.privileged} className="ml-1" />
      </p>
      <p className="text-slate-700">“{r.justification}”</p>
      <p className="text-xs text-slate-500">
        asked by {r.requestedBy ? <PersonName name={r.requestedBy.name} status={r.requestedBy.status} /> : 'someone who left'} · {formatAgo(r.createdAt, now)}
      </p>
    </div>
  )
}

function requestColumns(showRequester: boolean) {
  return listColumns({
    request: ['Request', 'min-w-72 max-w-xl whitespace-normal'],
    ...(showRequester ? { by: 'Asked by' } : {}),
    asked: ['Asked', 'text-slate-600'],
    decision: ['Decision', 'max-w-xs whitespace-normal'],
    change: 'Change',
  })
}

function requestRow(r: OwnerRequestDto, base: string, now: number, showRequester: boolean): ListRow {
  return {
    id: r.id,
    attrs: { 'data-request-id': r.id },
    cells: {
      request: (
        <>
          {kindLabel(r.kind)} <span className="font-mono text-xs">{r.target}</span> of{' '}
          <Link className="text-indigo-700 hover:underline" href={`${base}/identities/${r.identity.id}`}>
            {r.identity.name}
          </Link>
          <p className="text-xs text-slate-500">“{r.justification}”</p>
        </>
      ),
      ...(showRequester ? { by: r.requestedBy ? <PersonName name={r.requestedBy.name} status={r.requestedBy.status} /> : '—' } : {}),
      asked: <span title={formatDateTime(r.createdAt)}>{formatAgo(r.createdAt, now)}</span>,
      decision: (
        <span data-testid="request-decision">
          {r.direct ? (
            <Badge tone="violet" title="The organization lets owners act directly on non-privileged items">
              done by the owner
            </Badge>
          ) : (
            <Badge tone={toneOf(REQUEST_STATUS_TONES, r.status)}>{r.status === 'pending' ? 'waiting' : r.status}</Badge>
          )}
          {r.decidedBy && !r.direct ? <span className="ml-1 text-xs text-slate-500">by {r.decidedBy}</span> : null}
          {r.decisionReason ? <p className="text-xs text-slate-600">“{r.decisionReason}”</p> : null}
        </span>
      ),
      change: r.remediation ? (
        <Badge tone={toneOf(REMEDIATION_TONES, r.remediation.status)}>{r.remediation.status}</Badge>
      ) : (
        <span className="text-slate-500">—</span>
      ),
    },
  }
}
