'use client'
import { useState } from 'react'
import { Button } from '@/components/ui/button'
import { Dialog } from '@/components/ui/dialog'
import { Field, FormError, Textarea } from '@/components/ui/field'
import { useOrgAction } from '@/components/ui/use-org-action'
import { markRemediationDoneAction } from '@/lib/remediation/actions'

/** Confirms that a person did the task at the source, with an optional note for the audit log. */
export function MarkDoneButton({ orgSlug, remediationId, label }: { orgSlug: string; remediationId: string; label: string }) {
  const [open, setOpen] = useState(false)
  const [note, setNote] = useState('')
  const done = useOrgAction(markRemediationDoneAction, { onSuccess: () => setOpen(false) })
  return (
    <>
      <Button
        size="sm"
        variant="secondary"
        onClick={() => {
          done.reset()
          setOpen(true)
        }}
      >
        Mark done…
      </Button>
      <Dialog
        open={open}
        onClose={() => setOpen(false)}
        busy={done.pending}
        title={`Mark done: ${label}`}
        onSubmit={() => done.run({ orgSlug, remediationId, note: note.trim() || undefined })}
        confirm={{ label: done.pending ? 'Saving…' : 'Mark done', disabled: done.pending }}
      >
        <p>Confirm it was done at the source. Custodian records who confirmed it and updates the inventory.</p>
        <Field label="Note (optional)">
          <Textarea value={note} onChange={(e) => setNote(e.target.value)} rows={2} maxLength={1000} />
        </Field>
        <FormError>{done.error}</FormError>
      </Dialog>
    </>
  )
}
