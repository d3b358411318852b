'use client'
import { useMemo, useState } from 'react'
import { createDataTableColumnHelper } from '@/components/data-table/columns'
import type { TablePage } from '@/components/data-table/search-params'
import { DataTable } from '@/components/data-table/data-table'
import { useUrlParams } from '@/components/data-table/use-url-params'
import { Badge } from '@/components/ui/badge'
import { Button } from '@/components/ui/button'
import { EmptyState } from '@/components/ui/empty-state'
import { capitalize, countOf, optionsOf } from '@/components/ui/format'
import { Input } from '@/components/ui/field'
import { Select } from '@/components/ui/select'
import { DECISION_TONES, REMEDIATION_TONES, toneOf } from '@/components/ui/tones'
import { errorText, submitted, useOrgAction } from '@/components/ui/use-org-action'
import { PersonName } from '@/components/members/person-status'
import type { PersonStatus } from '@/lib/members/person'
import { reassignAction } from '@/lib/campaigns/actions'
import { DECISION_LABELS } from '@/lib/campaigns/schemas'
import { StatusText } from '@/components/ui/status-text'

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
const DECISION_FILTER = [{ value: 'none', label: 'Open' }, ...optionsOf(DECISION_LABELS)]
const REMEDIATION_FILTER = ['pending', 'applied', 'failed', 'manual'].map((s) => ({ value: s, label: capitalize(s) }))

export function CampaignItemsTable(props: {
  orgSlug: string
  list: TablePage<CampaignItemRow>
  canReassign: boolean
  reviewers: Option[]
  reviewerOptions: Option[]
  filters: { reviewer: string; decision: string; remediation: string }
}) {
  const url = useUrlParams()
  const [to, setTo] = useState('')
  const [reason, setReason] = useState('')
  const reassign = useOrgAction(reassignAction, { onSuccess: () => setReason('') })
  const message =
    reassign.result &&
    (reassign.result.ok
      ? `Reassigned ${countOf(reassign.result.data.count, 'item')} to ${reassign.result.data.to}.`
      : errorText(reassign.result.error, reassign.result.fieldErrors ?? {}))

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
        col.accessor('reviewer', {
          header: 'Reviewer',
          cell: (i) =>
            i.getValue() ? <PersonName name={i.getValue()!} status={i.row.original.reviewerStatus} /> : <span className="text-rose-700">none</span>,
        }),
        col.accessor('recommendation', {
          header: 'Recommended',
          cell: (i) => (i.getValue() ? <Badge tone={toneOf(DECISION_TONES, i.getValue())}>{i.getValue()}</Badge> : '—'),
        }),
        col.accessor('decision', {
          header: 'Decision',
          cell: (i) => {
            const d = i.getValue()
            const r = i.row.original
            return (
              <span title={r.justification ?? undefined}>
                {d ? <Badge tone={toneOf(DECISION_TONES, d)}>{d}</Badge> : <span className="text-slate-500">open</span>}
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
                <Badge tone={toneOf(REMEDIATION_TONES, i.getValue())}>{i.getValue()}</Badge>
                {i.row.original.remediationError ? <span className="ml-1 text-xs text-slate-500">{i.row.original.remediationError.slice(0, 60)}</span> : null}
              </span>
            ),
        }),
      ]),
    [],
  )

  const setFilter = (k: string, v: string) => url.set({ [k]: v })

  return (
    <section aria-label="Review items" className="space-y-2">
      <h2 className="text-sm font-semibold text-slate-900">Review items</h2>
      <DataTable
        ariaLabel="Campaign items"
        columns={columns}
        {...props.list}
        enableSelection={props.canReassign}
        toolbar={
          <div className="flex flex-wrap gap-2" aria-busy={url.pending}>
            {[
              { key: 'reviewer' as const, label: 'Reviewer', any: 'All reviewers', options: props.reviewerOptions },
              { key: 'decision' as const, label: 'Decision', any: 'Any decision', options: DECISION_FILTER },
              { key: 'remediation' as const, label: 'Remediation', any: 'Any remediation', options: REMEDIATION_FILTER },
            ].map((f) => (
              <Select
                key={f.key}
                size="sm"
                aria-label={f.label}
                value={props.filters[f.key]}
                onChange={(e) => setFilter(f.key, e.target.value)}
                any={f.any}
                options={f.options}
              />
            ))}
          </div>
        }
        selectionBar={(ctx) => (
          <form
            className="flex flex-wrap items-center gap-2"
            onSubmit={submitted(() =>
              reassign.run({ orgSlug: props.orgSlug, ids: ctx.selectedIds, toUserId: to, reason }).then((r) => r.ok && ctx.clearSelection()),
            )}
          >
            <span className="font-medium">{ctx.selectedIds.length} selected</span>
            <Select
              size="sm"
              aria-label="Reassign to"
              value={to}
              onChange={(e) => setTo(e.target.value)}
              required
              any="Reassign to…"
              options={props.reviewers}
            />
            <Input size="sm" aria-label="Reason" placeholder="Reason" value={reason} onChange={(e) => setReason(e.target.value)} required minLength={3} />
            <Button size="sm" type="submit" disabled={reassign.pending}>
              Reassign
            </Button>
            <button type="button" className="text-indigo-700 hover:underline" onClick={ctx.clearSelection}>
              Clear
            </button>
          </form>
        )}
        emptyState={<EmptyState title="No items match">Change the filters above.</EmptyState>}
      />
      <StatusText className="text-sm text-slate-700" as="p">
        {message}
      </StatusText>
    </section>
  )
}
