'use client'
import { useRouter } from 'next/navigation'
import { useState } from 'react'
import { Button } from '@/components/ui/button'
import { PeoplePicker } from '@/components/ui/people-picker'
import { cancelTransferAction, requestTransferAction } from '@/lib/ownership/actions'
import { ErrorText, Modal } from '../../_components/modal'
import { selectClass, type Person } from '../../_components/ownership-fields'

/** The owner proposes a new owner; nothing changes until that person accepts. */
export function TransferButton({ orgSlug, identityId, identityName, people, pending }: { orgSlug: string; identityId: string; identityName: string; people: Person[]; pending: { id: string; toName: string } | null }) {
  const router = useRouter()
  const [open, setOpen] = useState(false)
  const [to, setTo] = useState('')
  const [note, setNote] = useState('')
  const [error, setError] = useState<string | null>(null)
  const [busy, setBusy] = useState(false)
  if (pending) {
    return (
      <span className="flex items-center gap-2 text-xs text-slate-600" data-testid="pending-transfer">
        Waiting for {pending.toName} to accept
        <Button
          size="sm"
          variant="ghost"
          onClick={async () => {
            const r = await cancelTransferAction({ orgSlug, transferId: pending.id })
            if (r.ok) router.refresh()
          }}
        >
          Cancel hand-off
        </Button>
      </span>
    )
  }
  const submit = async () => {
    if (!to) return setError('Choose who should take it over.')
    setBusy(true)
    setError(null)
    const r = await requestTransferAction({ orgSlug, identityId, toUserId: to, note: note || undefined })
    setBusy(false)
    if (!r.ok) return setError(r.error)
    setOpen(false)
    router.refresh()
  }
  return (
    <>
      <Button size="sm" variant="secondary" onClick={() => setOpen(true)}>Hand off…</Button>
      <Modal
        open={open}
        onClose={() => setOpen(false)}
        title={`Hand off ${identityName}`}
        footer={
          <>
            <Button variant="secondary" onClick={() => setOpen(false)}>Cancel</Button>
            <Button onClick={submit} disabled={busy}>{busy ? 'Sending…' : 'Propose hand-off'}</Button>
          </>
        }
      >
        <p className="text-slate-600">The person you choose is asked to accept. You stay the owner until they do.</p>
        <div>
          <label htmlFor="transfer-to" className="font-medium text-slate-700">New owner</label>
          <PeoplePicker id="transfer-to" className="mt-1" name="toUserId" people={people} value={to} onChange={setTo} />
        </div>
        <label className="block">
          <span className="font-medium text-slate-700">Note (optional)</span>
          <textarea className={`${selectClass} min-h-16`} value={note} maxLength={500} onChange={(e) => setNote(e.target.value)} name="note" />
        </label>
        <ErrorText>{error}</ErrorText>
      </Modal>
    </>
  )
}
