import type { Metadata } from 'next'
import Link from 'next/link'
import { type ListPageProps, paging } from '@/components/data-table/search-params'
import { FilterForm } from '@/components/data-table/filter-form'
import { listColumns, actionsColumn } from '@/components/data-table/list-columns'
import { ListTable } from '@/components/data-table/list-table'
import { Badge } from '@/components/ui/badge'
import { EmptyState } from '@/components/ui/empty-state'
import { Field, Input } from '@/components/ui/field'
import { Forbidden } from '@/components/ui/forbidden'
import { formatDateTime } from '@/components/ui/format'
import { PageHeader } from '@/components/ui/page-header'
import { Select } from '@/components/ui/select'
import { OUTCOME_TONES, toneOf } from '@/components/ui/tones'
import { allows } from '@/lib/auth/org-context'
import { pageAllows, pageContext } from '@/lib/auth/session'
import { latestCheckpoint } from '@/lib/audit/checkpoints'
import { listAuditEvents } from '@/lib/audit/queries'
import { parseDetails } from '@/lib/audit/describe'
import { EventDetails } from './event-details'
import { parseAuditSearchParams } from './search-params'
import { CheckpointButton } from './checkpoint-button'
import { VerifyChainButton } from './verify-button'

export const metadata: Metadata = { title: 'Audit log' }

const OUTCOMES = [
  { value: 'success', label: 'Success' },
  { value: 'denied', label: 'Denied' },
  { value: 'failure', label: 'Failure' },
]
// Sized to fit 1440 px without scrolling: long actors, targets and justifications wrap; the row opens for the rest.
const COLUMNS = listColumns({
  seq: ['#', 'tabular-nums text-slate-500'],
  at: 'When',
  actor: ['Actor', 'max-w-48 whitespace-normal wrap-anywhere'],
  action: ['Action', 'font-mono text-xs'],
  target: ['Target and change', 'min-w-56 max-w-md whitespace-normal wrap-anywhere'],
  outcome: 'Outcome',
  justification: ['Justification', 'min-w-32 max-w-60 whitespace-normal wrap-anywhere text-slate-600'],
  details: actionsColumn('Details'),
})

export default async function AuditPage({ params, searchParams }: ListPageProps) {
  const ctx = await pageContext((await params).orgSlug)
  if (!(await pageAllows(ctx, 'audit:read', 'audit'))) return <Forbidden orgSlug={ctx.org.slug} what="the audit log" />
  const p = parseAuditSearchParams(await searchParams)
  const [{ rows, total, totalAtLeast, actions }, checkpoint] = await Promise.all([listAuditEvents(ctx, p), latestCheckpoint(ctx)])
  return (
    <>
      <PageHeader
        title="Audit log"
        description="Every change and every refused attempt, hash-chained per organization."
        actions={<VerifyChainButton orgSlug={ctx.org.slug} />}
      />
      <section
        aria-label="Latest signed checkpoint"
        data-testid="audit-checkpoint"
        className="mb-4 flex flex-wrap items-center justify-between gap-3 rounded-lg border border-slate-200 bg-white px-4 py-3 text-sm shadow-sm"
      >
        {checkpoint ? (
          <p className="text-slate-700">
            <span className="font-medium text-slate-900">Latest signed checkpoint:</span> event #{checkpoint.seq}, {formatDateTime(checkpoint.createdAt)} · head{' '}
            <code className="font-mono text-xs" title={checkpoint.headHash}>
              {checkpoint.headHash.slice(0, 16)}…
            </code>{' '}
            · Ed25519 key <code className="font-mono text-xs">{checkpoint.keyId}</code>
          </p>
        ) : (
          <p className="text-slate-600">No signed checkpoint yet: the chain head is signed with the organization’s key every day while events are recorded.</p>
        )}
        {allows(ctx, 'audit:checkpoint') ? <CheckpointButton orgSlug={ctx.org.slug} /> : null}
      </section>
      <FilterForm label="Filter the audit log" keep={{ size: p.size }} resetHref="?">
        <Field label="Action">
          <Select name="action" defaultValue={p.action ?? ''} any="Any" options={actions.map((a) => ({ value: a, label: a }))} />
        </Field>
        <Field label="Outcome">
          <Select name="outcome" defaultValue={p.outcome ?? ''} any="Any" options={OUTCOMES} />
        </Field>
        <Field label="Actor">
          <Input name="actor" defaultValue={p.actor ?? ''} placeholder="e-mail or token" />
        </Field>
        <Field label="From">
          <Input type="date" name="from" defaultValue={p.from ?? ''} />
        </Field>
        <Field label="To">
          <Input type="date" name="to" defaultValue={p.to ?? ''} />
        </Field>
      </FilterForm>
      <ListTable
        ariaLabel="Audit events"
        testId="audit-table"
        columns={COLUMNS}
        {...paging(p, total, totalAtLeast)}
        emptyState={<EmptyState title="No audit events match">Changes made in Custodian appear here as they happen.</EmptyState>}
        rows={rows.map((e) => ({
          id: e.id,
          cells: {
            seq: e.seq,
            at: formatDateTime(e.at),
            actor: (
              <>
                {e.actorLabel} <span className="text-xs text-slate-500">{e.actorType}</span>
              </>
            ),
            action: e.action,
            target: (
              <>
                {e.targetType === 'identity' && e.targetId ? (
                  <Link className="text-indigo-700 hover:underline" href={`/${ctx.org.slug}/identities/${e.targetId}`}>
                    {e.targetLabel ?? e.targetId}
                  </Link>
                ) : (
                  <span title={e.targetId ?? undefined}>{e.targetLabel ?? e.targetId ?? '—'}</span>
                )}
                {e.change ? (
                  <p className="text-xs text-slate-500" data-testid="audit-change">
                    {e.change}
                  </p>
                ) : null}
              </>
            ),
            outcome: <Badge tone={toneOf(OUTCOME_TONES, e.outcome)}>{e.outcome}</Badge>,
            justification: (
              <span className="line-clamp-3" title={e.justification ?? ''}>
                {e.justification ?? ''}
              </span>
            ),
            details: (
              <EventDetails
                event={{
                  id: e.id,
                  seq: e.seq,
                  at: e.at.toISOString().replace('T', ' ').slice(0, 19),
                  actor: e.actorLabel,
                  actorType: e.actorType,
                  action: e.action,
                  target: e.targetLabel ?? e.targetId,
                  targetType: e.targetType,
                  targetId: e.targetId,
                  outcome: e.outcome,
                  justification: e.justification,
                  change: e.change,
                  details: parseDetails(e.details),
                  hash: e.hash,
                  prevHash: e.prevHash,
                }}
              />
            ),
          },
        }))}
      />
    </>
  )
}
