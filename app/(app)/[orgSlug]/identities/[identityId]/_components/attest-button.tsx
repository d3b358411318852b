'use client'
import { useRouter } from 'next/navigation'
import { useState } from 'react'
import { Button } from '@/components/ui/button'
import { attestAction } from '@/lib/ownership/actions'
import { ErrorText, Modal } from '../../_components/modal'
import { selectClass } from '../../_components/ownership-fields'

/** The owner confirms the identity is still needed, with an optional note; the next attestation falls due later. */
export function AttestButton({ orgSlug, identityId, identityName, intervalDays }: { orgSlug: string; identityId: string; identityName: string; intervalDays: number }) {
  const router = useRouter()
  const [open, setOpen] = useState(false)
  const [stillNeeded, setStillNeeded] = useState(false)
  const [note, setNote] = useState('')
  const [error, setError] = useState<string | null>(null)
  const [busy, setBusy] = useState(false)
  const submit = async () => {
    if (!stillNeeded) return setError('Confirm the identity is still needed, or hand it off / ask for its removal instead.')
    setBusy(true)
    setError(null)
    const r = await attestAction({ orgSlug, identityId, stillNeeded: true, note: note || undefined })
    setBusy(false)
    if (!r.ok) return setError(r.error)
    setOpen(false)
    router.refresh()
  }
  return (
    <>
      <Button size="sm" onClick={() => setOpen(true)} aria-label={`Attest ${identityName}`}>Attest</Button>
      <Modal
        open={open}
        onClose={() => setOpen(false)}
        title={`Attest ${identityName}`}
        footer={
          <>
            <Button variant="secondary" onClick={() => setOpen(false)}>Cancel</Button>
            <Button onClick={submit} disabled={busy}>{busy ? 'Recording…' : 'Record attestation'}</Button>
          </>
        }
      >
        <label className="flex items-start gap-2">
          <input type="checkbox" className="mt-0.5 size-4 accent-indigo-600" checked={stillNeeded} onChange={(e) => setStillNeeded(e.target.checked)} />
          <span>I own this identity and it is still needed, with the access it has today.</span>
        </label>
        <label className="block">
          <span className="font-medium text-slate-700">Note (optional)</span>
          <textarea className={`${selectClass} min-h-16`} value={note} maxLength={1000} onChange={(e) => setNote(e.target.value)} name="note" placeholder="What it is used for, by whom" />
        </label>
        <p className="text-xs text-slate-500">The next attestation will be due in {intervalDays} days.</p>
        <ErrorText>{error}</ErrorText>
      </Modal>
    </>
  )
}
