'use client'
import { usePathname, useRouter, useSearchParams } from 'next/navigation'
import { countOf } from '@/components/ui/format'
import { useMemo, useState, useTransition } from 'react'
import { createDataTableColumnHelper } from '@/components/data-table/columns'
import { DataTable } from '@/components/data-table/data-table'
import { Badge } from '@/components/ui/badge'
import { Button } from '@/components/ui/button'
import { EmptyState } from '@/components/ui/empty-state'
import { PersonName } from '@/components/members/person-status'
import type { PersonStatus } from '@/lib/members/person'
import { reassignAction } from '@/lib/campaigns/actions'
import { REMEDIATION_TONES } from './status'

export type CampaignItemRow = {
  id: string
  identity: string
  what: string
  privileged: boolean
  reviewer: string | null
  reviewerStatus: PersonStatus | null
  recommendation: string | null
  decision: string | null
  firstDecision: string | null
  justification: string | null
  stage: number
  remediationStatus: string
  remediationError: string | null
}
type Option = { value: string; label: string }
const col = createDataTableColumnHelper<CampaignItemRow>()
const DECISION_TONES = { keep: 'green', revoke: 'red', reduce: 'amber', unsure: 'gray' } as const

export function CampaignItemsTable(props: {
  orgSlug: string
  rows: CampaignItemRow[]
  total: number
  page: number
  pageSize: number
  canReassign: boolean
  reviewers: Option[]
  reviewerOptions: Option[]
  filters: { reviewer: string; decision: string; remediation: string }
}) {
  const router = useRouter()
  const pathname = usePathname()
  const params = useSearchParams()
  const [pending, startTransition] = useTransition()
  const [to, setTo] = useState('')
  const [reason, setReason] = useState('')
  const [message, setMessage] = useState<string | null>(null)

  const columns = useMemo(
    () =>
      col.columns([
        col.accessor('identity', {
          header: 'Identity',
          enableHiding: false,
          cell: (i) => (
            <span className="font-medium text-slate-900">
              {i.getValue()} {i.row.original.privileged ? <Badge tone="red">privileged</Badge> : null}
            </span>
          ),
        }),
        col.accessor('what', { header: 'Access', cell: (i) => <span className="text-slate-600">{i.getValue()}</span> }),
        col.accessor('reviewer', { header: 'Reviewer', cell: (i) => (i.getValue() ? <PersonName name={i.getValue()!} status={i.row.original.reviewerStatus} /> : <span className="text-rose-700">none</span>) }),
        col.accessor('recommendation', { header: 'Recommended', cell: (i) => (i.getValue() ? <Badge tone={i.getValue() === 'revoke' ? 'red' : 'green'}>{i.getValue()}</Badge> : '—') }),
        col.accessor('decision', {
          header: 'Decision',
          cell: (i) => {
            const d = i.getValue() as keyof typeof DECISION_TONES | null
            const r = i.row.original
            return (
              <span title={r.justification ?? undefined}>
                {d ? <Badge tone={DECISION_TONES[d] ?? 'gray'}>{d}</Badge> : <span className="text-slate-500">open</span>}
                {r.firstDecision ? <span className="ml-1 text-xs text-slate-500">owner: {r.firstDecision}</span> : null}
              </span>
            )
          },
        }),
        col.accessor('remediationStatus', {
          header: 'Applied',
          cell: (i) =>
            i.getValue() === 'none' ? (
              <span className="text-slate-500">—</span>
            ) : (
              <span title={i.row.original.remediationError ?? undefined} data-testid="remediation-status">
                <Badge tone={REMEDIATION_TONES[i.getValue()] ?? 'gray'}>{i.getValue()}</Badge>
                {i.row.original.remediationError ? <span className="ml-1 text-xs text-slate-500">{i.row.original.remediationError.slice(0, 60)}</span> : null}
              </span>
            ),
        }),
      ]),
    [],
  )

  const setFilter = (k: string, v: string) => {
    const next = new URLSearchParams(params.toString())
    if (v) next.set(k, v)
    else next.delete(k)
    next.delete('page')
    startTransition(() => router.push(`${pathname}?${next.toString()}`, { scroll: false }))
  }
  const sel = 'rounded-md border border-slate-300 bg-white px-2 py-1 text-sm'

  return (
    <section aria-label="Review items" className="space-y-2">
      <h2 className="text-sm font-semibold text-slate-900">Review items</h2>
      <DataTable
        ariaLabel="Campaign items"
        rows={props.rows}
        columns={columns}
        total={props.total}
        page={props.page}
        pageSize={props.pageSize}
        enableSelection={props.canReassign}
        enableColumnVisibility={false}
        toolbar={
          <div className="flex flex-wrap gap-2" aria-busy={pending}>
            <label className="sr-only" htmlFor="f-reviewer">Reviewer</label>
            <select id="f-reviewer" className={sel} value={props.filters.reviewer} onChange={(e) => setFilter('reviewer', e.target.value)}>
              <option value="">All reviewers</option>
              {props.reviewerOptions.map((o) => <option key={o.value} value={o.value}>{o.label}</option>)}
            </select>
            <label className="sr-only" htmlFor="f-decision">Decision</label>
            <select id="f-decision" className={sel} value={props.filters.decision} onChange={(e) => setFilter('decision', e.target.value)}>
              <option value="">Any decision</option><option value="none">Open</option><option value="keep">Keep</option><option value="revoke">Revoke</option><option value="reduce">Reduce</option><option value="unsure">Don&apos;t know</option>
            </select>
            <label className="sr-only" htmlFor="f-remediation">Remediation</label>
            <select id="f-remediation" className={sel} value={props.filters.remediation} onChange={(e) => setFilter('remediation', e.target.value)}>
              <option value="">Any remediation</option><option value="pending">Pending</option><option value="applied">Applied</option><option value="failed">Failed</option><option value="manual">Manual</option>
            </select>
          </div>
        }
        selectionBar={(ctx) => (
          <form
            className="flex flex-wrap items-center gap-2"
            onSubmit={(e) => {
              e.preventDefault()
              startTransition(async () => {
                const r = await reassignAction({ orgSlug: props.orgSlug, ids: ctx.selectedIds, toUserId: to, reason })
                setMessage(r.ok ? `Reassigned ${countOf(r.data.count, 'item')} to ${r.data.to}.` : r.error + (r.fieldErrors ? ` ${Object.values(r.fieldErrors).flat().join(' ')}` : ''))
                if (r.ok) {
                  ctx.clearSelection()
                  setReason('')
                  router.refresh()
                }
              })
            }}
          >
            <span className="font-medium">{ctx.selectedIds.length} selected</span>
            <label htmlFor="reassign-to" className="sr-only">Reassign to</label>
            <select id="reassign-to" className={sel} value={to} onChange={(e) => setTo(e.target.value)} required>
              <option value="">Reassign to…</option>
              {props.reviewers.map((o) => <option key={o.value} value={o.value}>{o.label}</option>)}
            </select>
            <label htmlFor="reassign-reason" className="sr-only">Reason</label>
            <input id="reassign-reason" className={sel} placeholder="Reason" value={reason} onChange={(e) => setReason(e.target.value)} required minLength={3} />
            <Button size="sm" type="submit" disabled={pending}>Reassign</Button>
            <button type="button" className="text-indigo-700 hover:underline" onClick={ctx.clearSelection}>Clear</button>
          </form>
        )}
        emptyState={<EmptyState title="No items match">Change the filters above.</EmptyState>}
      />
      {message ? <p className="text-sm text-slate-700" role="status">{message}</p> : null}
    </section>
  )
}
