'use client'
import { useState } from 'react'
import { Button } from '@/components/ui/button'
import { Dialog } from '@/components/ui/dialog'
import { Field, FormError, Textarea } from '@/components/ui/field'
import { PeoplePicker } from '@/components/ui/people-picker'
import { useOrgAction } from '@/components/ui/use-org-action'
import { cancelTransferAction, requestTransferAction } from '@/lib/ownership/actions'
import type { Person } from '../../_components/ownership-fields'

/** The owner proposes a new owner; nothing changes until that person accepts. */
export function TransferButton({
  orgSlug,
  identityId,
  identityName,
  people,
  pending,
}: {
  orgSlug: string
  identityId: string
  identityName: string
  people: Person[]
  pending: { id: string; toName: string } | null
}) {
  const [open, setOpen] = useState(false)
  const [to, setTo] = useState('')
  const [note, setNote] = useState('')
  const request = useOrgAction(requestTransferAction, { onSuccess: () => setOpen(false) })
  const cancel = useOrgAction(cancelTransferAction)
  if (pending) {
    return (
      <span className="flex items-center gap-2 text-xs text-slate-600" data-testid="pending-transfer">
        Waiting for {pending.toName} to accept
        <Button size="sm" variant="ghost" disabled={cancel.pending} onClick={() => cancel.run({ orgSlug, transferId: pending.id })}>
          Cancel hand-off
        </Button>
      </span>
    )
  }
  const submit = () => {
    if (!to) return request.setError('Choose who should take it over.')
    void request.run({ orgSlug, identityId, toUserId: to, note: note || undefined })
  }
  return (
    <>
      <Button size="sm" variant="secondary" onClick={() => setOpen(true)}>
        Hand off…
      </Button>
      <Dialog
        open={open}
        onClose={() => setOpen(false)}
        title={`Hand off ${identityName}`}
        onSubmit={submit}
        confirm={{ label: request.pending ? 'Sending…' : 'Propose hand-off', disabled: request.pending }}
      >
        <p className="text-slate-600">The person you choose is asked to accept. You stay the owner until they do.</p>
        <Field id="transfer-to" label="New owner">
          <PeoplePicker id="transfer-to" name="toUserId" people={people} value={to} onChange={setTo} />
        </Field>
        <Field label="Note (optional)">
          <Textarea className="min-h-16" value={note} maxLength={500} onChange={(e) => setNote(e.target.value)} name="note" />
        </Field>
        <FormError>{request.error}</FormError>
      </Dialog>
    </>
  )
}
