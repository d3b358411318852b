'use client'
import { useState } from 'react'
import { Button } from '@/components/ui/button'
import { Dialog } from '@/components/ui/dialog'
import { Field, FormError, Textarea } from '@/components/ui/field'
import { useOrgAction } from '@/components/ui/use-org-action'
import { attestAction } from '@/lib/ownership/actions'

/** The owner confirms the identity is still needed, with an optional note; the next attestation falls due later. */
export function AttestButton({
  orgSlug,
  identityId,
  identityName,
  intervalDays,
}: {
  orgSlug: string
  identityId: string
  identityName: string
  intervalDays: number
}) {
  const [open, setOpen] = useState(false)
  const [stillNeeded, setStillNeeded] = useState(false)
  const [note, setNote] = useState('')
  const attest = useOrgAction(attestAction, { onSuccess: () => setOpen(false) })
  const submit = () => {
    if (!stillNeeded) return attest.setError('Confirm the identity is still needed, or hand it off / ask for its removal instead.')
    void attest.run({ orgSlug, identityId, stillNeeded: true, note: note || undefined })
  }
  return (
    <>
      <Button size="sm" onClick={() => setOpen(true)} aria-label={`Attest ${identityName}`}>
        Attest
      </Button>
      <Dialog
        open={open}
        onClose={() => setOpen(false)}
        title={`Attest ${identityName}`}
        onSubmit={submit}
        confirm={{ label: attest.pending ? 'Recording…' : 'Record attestation', disabled: attest.pending }}
      >
        <label className="flex items-start gap-2">
          <input type="checkbox" className="mt-0.5 size-4 accent-indigo-600" checked={stillNeeded} onChange={(e) => setStillNeeded(e.target.checked)} />
          <span>I own this identity and it is still needed, with the access it has today.</span>
        </label>
        <Field label="Note (optional)" hint={`The next attestation will be due in ${intervalDays} days.`}>
          <Textarea
            className="min-h-16"
            value={note}
            maxLength={1000}
            onChange={(e) => setNote(e.target.value)}
            name="note"
            placeholder="What it is used for, by whom"
          />
        </Field>
        <FormError>{attest.error}</FormError>
      </Dialog>
    </>
  )
}
