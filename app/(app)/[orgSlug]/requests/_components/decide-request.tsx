'use client'
import { useState } from 'react'
import { Button } from '@/components/ui/button'
import { Dialog } from '@/components/ui/dialog'
import { Field, FormError, Textarea } from '@/components/ui/field'
import { useOrgAction } from '@/components/ui/use-org-action'
import { decideOwnerRequestAction } from '@/lib/requests/actions'
import { StatusText } from '@/components/ui/status-text'

/** Approve in one click (the remediation runs as any other), or reject with a reason the owner is told. */
export function DecideRequest({ orgSlug, ownerRequestId, label }: { orgSlug: string; ownerRequestId: string; label: string }) {
  const [rejecting, setRejecting] = useState(false)
  const [reason, setReason] = useState('')
  const decide = useOrgAction(decideOwnerRequestAction, { onSuccess: () => setRejecting(false) })
  const error = decide.fieldErrors.reason?.[0] ?? decide.error
  return (
    <span className="flex flex-col items-end gap-1">
      <span className="flex gap-1">
        <Button size="sm" disabled={decide.pending} onClick={() => decide.run({ orgSlug, ownerRequestId, approve: true })} aria-label={`Approve: ${label}`}>
          {decide.pending && !rejecting ? 'Approving…' : 'Approve'}
        </Button>
        <Button size="sm" variant="secondary" disabled={decide.pending} onClick={() => setRejecting(true)} aria-label={`Reject: ${label}`}>
          Reject…
        </Button>
      </span>
      <StatusText className="max-w-xs text-right text-xs text-rose-700">{rejecting ? null : error}</StatusText>
      {/* Dialog's confirm props; alike other confirm dialogs by shape only. */}
      <Dialog
        open={rejecting}
        onClose={() => setRejecting(false)}
        title="Reject the request"
        confirm={{
          label: decide.pending ? 'Rejecting…' : 'Reject',
          onClick: () => decide.run({ orgSlug, ownerRequestId, approve: false, reason }),
          variant: 'danger',
          disabled: decide.pending,
        }}
      >
        <p>{label}</p>
        <Field label="Reason (the owner is told)">
          <Textarea value={reason} onChange={(e) => setReason(e.target.value)} rows={3} maxLength={1000} aria-required />
        </Field>
        <FormError>{error}</FormError>
      </Dialog>
    </span>
  )
}
