'use client'
import { useSearchParams } from 'next/navigation'
import { useState } from 'react'
import type { SelectionBarContext } from '@/components/data-table/data-table'
import { Button } from '@/components/ui/button'
import { Dialog } from '@/components/ui/dialog'
import { FormError } from '@/components/ui/field'
import { countOf, formatCount, formatNumber } from '@/components/ui/format'
import { useOrgAction } from '@/components/ui/use-org-action'
import { flattenParams } from '@/lib/inventory/view-params'
import { assignOwnerAction, bulkAssignByFilterAction, previewAssignByFilterAction } from '@/lib/ownership/actions'
import { JobProgress } from './job-progress'
import { OwnershipFields, toFields, type FieldChoices, type Person, type TeamOption } from './ownership-fields'
import { StatusText } from '@/components/ui/status-text'

const VIEW_PARAMS = new Set(['page', 'size', 'sort', 'dir', 'hide'])

/** The inventory's current filter, as URL params: the server rebuilds the WHERE from it. */
export function useCurrentFilter() {
  const sp = useSearchParams()
  return Object.fromEntries(Object.entries(flattenParams(sp)).filter(([k]) => !VIEW_PARAMS.has(k)))
}

export function newRequestId() {
  return typeof crypto !== 'undefined' && 'randomUUID' in crypto ? crypto.randomUUID() : `${Date.now()}-${Math.random().toString(36).slice(2)}`
}

export function BulkAssignBar({ ctx, orgSlug, people, teams }: { ctx: SelectionBarContext; orgSlug: string; people: Person[]; teams: TeamOption[] }) {
  const filter = useCurrentFilter()
  const [allMatching, setAllMatching] = useState(false)
  const [open, setOpen] = useState(false)
  const [choices, setChoices] = useState<FieldChoices>({ ownerId: '', backupOwnerId: '', teamId: '' })
  const [step, setStep] = useState<'edit' | 'confirm'>('edit')
  const [jobId, setJobId] = useState<string | null>(null)
  const [done, setDone] = useState<string | null>(null)
  const count = allMatching ? ctx.total : ctx.selectedIds.length

  const preview = useOrgAction(previewAssignByFilterAction, { refresh: false, onSuccess: () => setStep('confirm') })
  const close = () => {
    setOpen(false)
    setStep('edit')
    preview.reset()
  }
  const byFilter = useOrgAction(bulkAssignByFilterAction, {
    refresh: false,
    onSuccess: (r) => {
      setJobId(r.jobId)
      close()
    },
  })
  const selected = useOrgAction(assignOwnerAction, {
    onSuccess: (r) => {
      setDone(`${formatNumber(r.changed)} of ${formatNumber(r.selected)} identities changed.`)
      close()
      ctx.clearSelection()
    },
  })
  const busy = preview.pending || byFilter.pending || selected.pending
  const error = preview.error ?? byFilter.error ?? selected.error
  const counted = preview.result?.ok ? preview.result.data : null

  const review = () => {
    const fields = toFields(choices)
    if (fields.ownerId === undefined && fields.backupOwnerId === undefined && fields.teamId === undefined)
      return preview.setError('Choose an owner, a backup owner or a team to change.')
    if (allMatching) void preview.run({ orgSlug, filter, fields })
    else setStep('confirm')
  }
  const apply = () => {
    const fields = toFields(choices)
    if (allMatching) void byFilter.run({ orgSlug, filter, fields, requestId: newRequestId() })
    else void selected.run({ orgSlug, identityIds: ctx.selectedIds, fields })
  }

  return (
    <>
      <span className="font-medium tabular-nums" data-testid="selection-count">
        {allMatching ? `All ${formatCount(ctx.total, ctx.totalAtLeast)} matching selected` : `${formatNumber(ctx.selectedIds.length)} selected`}
      </span>
      {!allMatching && ctx.allPageRowsSelected && ctx.total > ctx.selectedIds.length ? (
        <button type="button" className="font-medium text-indigo-700 underline-offset-2 hover:underline" onClick={() => setAllMatching(true)}>
          Select all {formatCount(ctx.total, ctx.totalAtLeast)} matching
        </button>
      ) : null}
      <Button size="sm" onClick={() => setOpen(true)}>
        Assign ownership…
      </Button>
      <button
        type="button"
        onClick={() => {
          setAllMatching(false)
          ctx.clearSelection()
        }}
        className="font-medium text-indigo-700 underline-offset-2 hover:underline"
      >
        Clear selection
      </button>
      <StatusText className="text-emerald-800">{done}</StatusText>
      <JobProgress orgSlug={orgSlug} jobId={jobId} className="w-full max-w-md" />
      <Dialog
        open={open}
        onClose={close}
        title={`Assign ownership of ${countOf(count, 'identity', 'identities')}`}
        footer={
          step === 'edit' ? (
            <>
              <Button variant="secondary" onClick={close}>
                Cancel
              </Button>
              <Button onClick={review} disabled={busy}>
                {busy ? 'Counting…' : 'Review'}
              </Button>
            </>
          ) : (
            <>
              <Button variant="secondary" onClick={() => setStep('edit')}>
                Back
              </Button>
              <Button onClick={apply} disabled={busy || counted?.changing === 0}>
                {busy ? 'Applying…' : 'Confirm'}
              </Button>
            </>
          )
        }
      >
        {step === 'edit' ? (
          <OwnershipFields value={choices} onChange={setChoices} people={people} teams={teams} />
        ) : (
          <div data-testid="bulk-confirm" className="space-y-2">
            {allMatching && counted ? (
              <p>
                <strong className="tabular-nums">{formatNumber(counted.changing)}</strong> of {formatNumber(counted.matching)} matching identities will change
                {counted.changing === 0 ? ' — nothing to do.' : '. This runs in the background; you can leave the page.'}
              </p>
            ) : (
              <p>
                Up to <strong className="tabular-nums">{formatNumber(count)}</strong> selected {count === 1 ? 'identity' : 'identities'} will change. Each
                change is recorded in the audit log.
              </p>
            )}
            <Summary choices={choices} people={people} teams={teams} />
          </div>
        )}
        <FormError>{error}</FormError>
      </Dialog>
    </>
  )
}

function Summary({ choices, people, teams }: { choices: FieldChoices; people: Person[]; teams: TeamOption[] }) {
  const person = (v: string) => (v === '-' ? 'nobody' : (people.find((p) => p.id === v)?.name ?? v))
  const rows = [
    ['Owner', choices.ownerId ? person(choices.ownerId) : null],
    ['Backup owner', choices.backupOwnerId ? person(choices.backupOwnerId) : null],
    ['Team', choices.teamId ? (choices.teamId === '-' ? 'none' : (teams.find((t) => t.id === choices.teamId)?.name ?? '')) : null],
  ].filter((r) => r[1] !== null)
  return (
    <ul className="list-inside list-disc text-slate-700">
      {rows.map(([k, v]) => (
        <li key={k}>
          {k} → <strong>{v}</strong>
        </li>
      ))}
    </ul>
  )
}
