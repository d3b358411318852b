'use client'
import { useState } from 'react'
import { Dialog } from '@/components/ui/dialog'
import { Field, FormError, Textarea } from '@/components/ui/field'
import { errorText, useOrgAction } from '@/components/ui/use-org-action'
import { revokeAcceptanceAction } from '@/lib/findings/actions'

/** Ends an accepted risk early, with a reason (audited); the finding is open again. */
export function RevokeAcceptanceButton({ orgSlug, findingId, title, identity }: { orgSlug: string; findingId: string; title: string; identity: string }) {
  const [open, setOpen] = useState(false)
  const [reason, setReason] = useState('')
  const revoke = useOrgAction(revokeAcceptanceAction, { onSuccess: () => setOpen(false) })
  return (
    <>
      <button type="button" className="mt-1 font-medium text-rose-700 underline decoration-rose-200 hover:decoration-rose-700" onClick={() => setOpen(true)}>
        Revoke acceptance
      </button>
      <Dialog
        open={open}
        onClose={() => setOpen(false)}
        title="Revoke the accepted risk?"
        confirm={{
          label: 'Revoke acceptance',
          onClick: () => revoke.run({ orgSlug, findingId, reason }),
          variant: 'danger',
          disabled: revoke.pending || reason.trim().length < 5,
        }}
      >
        <p>
          “{title}” on <span className="font-medium">{identity}</span> opens again and counts in posture and risk from now on.
        </p>
        <Field label="Why does the acceptance end?">
          <Textarea rows={2} value={reason} onChange={(e) => setReason(e.target.value)} maxLength={1000} />
        </Field>
        <FormError>{errorText(revoke.error, revoke.fieldErrors)}</FormError>
      </Dialog>
    </>
  )
}
