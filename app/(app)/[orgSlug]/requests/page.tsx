import type { Metadata } from 'next'
import Link from 'next/link'
import { PersonName } from '@/components/members/person-status'
import { Badge, type BadgeTone } from '@/components/ui/badge'
import { Card } from '@/components/ui/card'
import { EmptyState } from '@/components/ui/empty-state'
import { formatAgo, formatDateTime, renderTime } from '@/components/ui/format'
import { PageHeader } from '@/components/ui/page-header'
import { pageContext } from '@/lib/auth/session'
import { can } from '@/lib/auth/permissions'
import { listMyRequests, listRequestQueue, type OwnerRequestDto } from '@/lib/requests/queries'
import { OWNER_REQUEST_LABELS, type OwnerRequestKind } from '@/lib/requests/schemas'
import { DecideRequest } from './_components/decide-request'

export const metadata: Metadata = { title: 'Requests' }

const STATUS_TONE: Record<string, BadgeTone> = { pending: 'blue', approved: 'green', rejected: 'red' }
const REM_TONE: Record<string, BadgeTone> = { pending: 'blue', applied: 'green', manual: 'amber', failed: 'red', canceled: 'gray' }
const kindLabel = (k: string) => OWNER_REQUEST_LABELS[k as OwnerRequestKind] ?? k

export default async function RequestsPage({ params }: { params: Promise<{ orgSlug: string }> }) {
  const { orgSlug } = await params
  const ctx = await pageContext(orgSlug)
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
            <p className="text-sm text-slate-500" data-testid="no-pending-requests">No request is waiting. Owners ask from the credentials and grants of their identities&apos; pages.</p>
          ) : (
            <ul className="divide-y divide-slate-100 text-sm" data-testid="pending-requests">
              {queue.pending.map((r) => (
                <li key={r.id} className="flex flex-wrap items-start justify-between gap-3 py-3" data-request-id={r.id}>
                  <RequestSummary r={r} base={base} now={now} />
                  {canDecide ? <DecideRequest orgSlug={ctx.org.slug} ownerRequestId={r.id} label={`${kindLabel(r.kind)} ${r.target} of ${r.identity.name}`} /> : null}
                </li>
              ))}
            </ul>
          )}
        </Card>
      ) : null}
      {queue && queue.decided.length ? (
        <Card title="Recently decided">
          <RequestTable rows={queue.decided} base={base} now={now} showRequester />
        </Card>
      ) : null}
      <Card title={`Your requests (${mine.length})`}>
        {mine.length === 0 ? (
          <EmptyState title="You have not asked for anything yet">
            On an identity you own, use <strong>Request revocation</strong> or <strong>Request rotation</strong> next to a grant or credential. <Link href={`${base}/my`} className="text-indigo-700 hover:underline">Your identities</Link>
          </EmptyState>
        ) : (
          <RequestTable rows={mine} base={base} now={now} />
        )}
      </Card>
    </div>
  )
}

function RequestSummary({ r, base, now }: { r: OwnerRequestDto; base: string; now: number }) {
  return (
    <div className="min-w-0 space-y-0.5">
      <p>
        <span className="font-medium">{kindLabel(r.kind)}</span> <span className="font-mono text-xs">{r.target}</span> of{' '}
        <Link className="text-indigo-700 hover:underline" href={`${base}/identities/${r.identity.id}`}>{r.identity.name}</Link>
        {r.privileged ? <span className="ml-1"><Badge tone="red">privileged</Badge></span> : null}
      </p>
      <p className="text-slate-700">“{r.justification}”</p>
      <p className="text-xs text-slate-500">
        asked by {r.requestedBy ? <PersonName name={r.requestedBy.name} status={r.requestedBy.status} /> : 'someone who left'} · {formatAgo(r.createdAt, now)}
      </p>
    </div>
  )
}

function RequestTable({ rows, base, now, showRequester = false }: { rows: OwnerRequestDto[]; base: string; now: number; showRequester?: boolean }) {
  return (
    <div className="overflow-x-auto">
      <table className="min-w-full text-sm" data-testid="requests">
        <thead className="text-left text-xs uppercase tracking-wide text-slate-500">
          <tr>
            <th scope="col" className="py-2 pr-4">Request</th>
            {showRequester ? <th scope="col" className="pr-4">Asked by</th> : null}
            <th scope="col" className="pr-4">Asked</th>
            <th scope="col" className="pr-4">Decision</th>
            <th scope="col" className="pr-4">Change</th>
          </tr>
        </thead>
        <tbody className="divide-y divide-slate-100">
          {rows.map((r) => (
            <tr key={r.id} data-request-id={r.id}>
              <td className="py-2 pr-4">
                {kindLabel(r.kind)} <span className="font-mono text-xs">{r.target}</span> of{' '}
                <Link className="text-indigo-700 hover:underline" href={`${base}/identities/${r.identity.id}`}>{r.identity.name}</Link>
                <p className="text-xs text-slate-500">“{r.justification}”</p>
              </td>
              {showRequester ? <td className="pr-4">{r.requestedBy ? <PersonName name={r.requestedBy.name} status={r.requestedBy.status} /> : '—'}</td> : null}
              <td className="whitespace-nowrap pr-4 text-slate-600" title={formatDateTime(r.createdAt)}>{formatAgo(r.createdAt, now)}</td>
              <td className="pr-4" data-testid="request-decision">
                {r.direct ? (
                  <Badge tone="violet" title="The organization lets owners act directly on non-privileged items">done by the owner</Badge>
                ) : (
                  <Badge tone={STATUS_TONE[r.status] ?? 'gray'}>{r.status === 'pending' ? 'waiting' : r.status}</Badge>
                )}
                {r.decidedBy && !r.direct ? <span className="ml-1 text-xs text-slate-500">by {r.decidedBy}</span> : null}
                {r.decisionReason ? <p className="text-xs text-slate-600">“{r.decisionReason}”</p> : null}
              </td>
              <td className="pr-4">{r.remediation ? <Badge tone={REM_TONE[r.remediation.status] ?? 'gray'}>{r.remediation.status}</Badge> : <span className="text-slate-500">—</span>}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  )
}
