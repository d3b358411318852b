'use client'
import { useRouter } from 'next/navigation'
import { useId, useRef, useState, useTransition } from 'react'
import { Button } from '@/components/ui/button'
import { markRemediationDoneAction } from '@/lib/remediation/actions'

/** Confirms that a person did the task at the source, with an optional note for the audit log. */
export function MarkDoneButton({ orgSlug, remediationId, label }: { orgSlug: string; remediationId: string; label: string }) {
  const router = useRouter()
  const ref = useRef<HTMLDialogElement>(null)
  const [note, setNote] = useState('')
  const [error, setError] = useState<string | null>(null)
  const [pending, start] = useTransition()
  const id = useId()
  return (
    <>
      <Button size="sm" variant="secondary" onClick={() => { setError(null); ref.current?.showModal() }}>Mark done…</Button>
      <dialog ref={ref} className="m-auto w-full max-w-md rounded-lg p-0 shadow-xl backdrop:bg-slate-900/40" aria-labelledby={`${id}-t`}>
        <form className="space-y-3 p-5" onSubmit={(e) => {
          e.preventDefault()
          start(async () => {
            const r = await markRemediationDoneAction({ orgSlug, remediationId, note: note.trim() || undefined })
            if (r.ok) {
              ref.current?.close()
              router.refresh()
            } else setError(r.error)
          })
        }}>
          <h2 id={`${id}-t`} className="text-base font-semibold">Mark done: {label}</h2>
          <p className="text-sm text-slate-600">Confirm it was done at the source. Custodian records who confirmed it and updates the inventory.</p>
          <label htmlFor={id} className="block text-sm font-medium text-slate-700">Note (optional)</label>
          <textarea id={id} value={note} onChange={(e) => setNote(e.target.value)} rows={2} maxLength={1000} className="block w-full rounded-md border border-slate-300 px-2 py-1.5 text-sm" />
          {error ? <p className="text-sm text-rose-700" role="status">{error}</p> : null}
          <div className="flex justify-end gap-2">
            <Button type="button" variant="secondary" onClick={() => ref.current?.close()} disabled={pending}>Cancel</Button>
            <Button type="submit" disabled={pending}>{pending ? 'Saving…' : 'Mark done'}</Button>
          </div>
        </form>
      </dialog>
    </>
  )
}
