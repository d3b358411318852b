'use client'
import { useRouter, useSearchParams } from 'next/navigation'
import { useState } from 'react'
import type { SelectionBarContext } from '@/components/data-table/data-table'
import { Button } from '@/components/ui/button'
import { flattenParams } from '@/lib/inventory/view-params'
import { assignOwnerAction, bulkAssignByFilterAction, previewAssignByFilterAction } from '@/lib/ownership/actions'
import { JobProgress } from './job-progress'
import { ErrorText, Modal } from './modal'
import { OwnershipFields, toFields, type FieldChoices, type Person, type TeamOption } from './ownership-fields'

const fmt = new Intl.NumberFormat('en-US')
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
  const router = useRouter()
  const filter = useCurrentFilter()
  const [allMatching, setAllMatching] = useState(false)
  const [open, setOpen] = useState(false)
  const [choices, setChoices] = useState<FieldChoices>({ ownerId: '', backupOwnerId: '', teamId: '' })
  const [step, setStep] = useState<'edit' | 'confirm'>('edit')
  const [preview, setPreview] = useState<{ matching: number; changing: number } | null>(null)
  const [error, setError] = useState<string | null>(null)
  const [busy, setBusy] = useState(false)
  const [jobId, setJobId] = useState<string | null>(null)
  const [done, setDone] = useState<string | null>(null)
  const count = allMatching ? ctx.total : ctx.selectedIds.length

  const close = () => {
    setOpen(false)
    setStep('edit')
    setError(null)
    setPreview(null)
  }

  const review = async () => {
    setError(null)
    const fields = toFields(choices)
    if (fields.ownerId === undefined && fields.backupOwnerId === undefined && fields.teamId === undefined) {
      setError('Choose an owner, a backup owner or a team to change.')
      return
    }
    if (allMatching) {
      setBusy(true)
      const r = await previewAssignByFilterAction({ orgSlug, filter, fields })
      setBusy(false)
      if (!r.ok) return setError(r.error)
      setPreview(r.data)
    }
    setStep('confirm')
  }

  const apply = async () => {
    setBusy(true)
    setError(null)
    const fields = toFields(choices)
    if (allMatching) {
      const r = await bulkAssignByFilterAction({ orgSlug, filter, fields, requestId: newRequestId() })
      setBusy(false)
      if (!r.ok) return setError(r.error)
      setJobId(r.data.jobId)
      close()
    } else {
      const r = await assignOwnerAction({ orgSlug, identityIds: ctx.selectedIds, fields })
      setBusy(false)
      if (!r.ok) return setError(r.error)
      setDone(`${fmt.format(r.data.changed)} of ${fmt.format(r.data.selected)} identities changed.`)
      close()
      ctx.clearSelection()
      router.refresh()
    }
  }

  return (
    <>
      <span className="font-medium tabular-nums" data-testid="selection-count">
        {allMatching ? `All ${fmt.format(ctx.total)} matching selected` : `${fmt.format(ctx.selectedIds.length)} selected`}
      </span>
      {!allMatching && ctx.allPageRowsSelected && ctx.total > ctx.selectedIds.length ? (
        <button type="button" className="font-medium text-indigo-700 underline-offset-2 hover:underline" onClick={() => setAllMatching(true)}>
          Select all {fmt.format(ctx.total)} matching
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
      {done ? <span className="text-emerald-800" role="status">{done}</span> : null}
      {jobId ? (
        <div className="w-full max-w-md">
          <JobProgress orgSlug={orgSlug} jobId={jobId} />
        </div>
      ) : null}
      <Modal
        open={open}
        onClose={close}
        title={`Assign ownership of ${fmt.format(count)} ${count === 1 ? 'identity' : 'identities'}`}
        footer={
          step === 'edit' ? (
            <>
              <Button variant="secondary" onClick={close}>Cancel</Button>
              <Button onClick={review} disabled={busy}>{busy ? 'Counting…' : 'Review'}</Button>
            </>
          ) : (
            <>
              <Button variant="secondary" onClick={() => setStep('edit')}>Back</Button>
              <Button onClick={apply} disabled={busy || preview?.changing === 0}>{busy ? 'Applying…' : 'Confirm'}</Button>
            </>
          )
        }
      >
        {step === 'edit' ? (
          <OwnershipFields value={choices} onChange={setChoices} people={people} teams={teams} />
        ) : (
          <div data-testid="bulk-confirm" className="space-y-2">
            {allMatching && preview ? (
              <p>
                <strong className="tabular-nums">{fmt.format(preview.changing)}</strong> of {fmt.format(preview.matching)} matching identities will change
                {preview.changing === 0 ? ' — nothing to do.' : '. This runs in the background; you can leave the page.'}
              </p>
            ) : (
              <p>
                Up to <strong className="tabular-nums">{fmt.format(count)}</strong> selected {count === 1 ? 'identity' : 'identities'} will change. Each change is recorded in the audit log.
              </p>
            )}
            <Summary choices={choices} people={people} teams={teams} />
          </div>
        )}
        <ErrorText>{error}</ErrorText>
      </Modal>
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
