'use client'
import { useState } from 'react'
import { Button } from '@/components/ui/button'
import { Dialog } from '@/components/ui/dialog'
import { FormError } from '@/components/ui/field'
import { useOrgAction } from '@/components/ui/use-org-action'
import { resendInvitationAction, revokeInvitationAction } from '@/lib/members/actions'
import { InvitationLink } from './invitation-link'
import { StatusText } from '@/components/ui/status-text'

/** Re-send (a new link; the old one stops working) or revoke a pending invitation. */
export function InvitationActions({ orgSlug, invitationId, email }: { orgSlug: string; invitationId: string; email: string }) {
  const [confirmRevoke, setConfirmRevoke] = useState(false)
  const resend = useOrgAction(resendInvitationAction)
  const revoke = useOrgAction(revokeInvitationAction, { onSuccess: () => setConfirmRevoke(false) })
  const created = resend.result?.ok ? resend.result.data : null
  return (
    <span className="flex flex-col items-end gap-2">
      <span className="flex justify-end gap-1">
        <Button
          size="sm"
          variant="ghost"
          disabled={resend.pending || revoke.pending}
          aria-label={`Re-send the invitation to ${email}`}
          onClick={() => resend.run({ orgSlug, invitationId })}
        >
          Re-send
        </Button>
        <Button size="sm" variant="ghost" className="text-rose-700" onClick={() => setConfirmRevoke(true)} aria-label={`Revoke the invitation to ${email}`}>
          Revoke
        </Button>
      </span>
      <StatusText className="text-xs text-rose-700">{resend.error}</StatusText>
      {created ? (
        <span className="block w-[32rem] max-w-full text-left">
          <InvitationLink {...created} onDone={resend.reset} />
        </span>
      ) : null}
      <Dialog
        open={confirmRevoke}
        onClose={() => setConfirmRevoke(false)}
        title={`Revoke the invitation to ${email}?`}
        confirm={{
          label: revoke.pending ? 'Revoking…' : 'Revoke',
          onClick: () => revoke.run({ orgSlug, invitationId }),
          variant: 'danger',
          disabled: revoke.pending,
        }}
      >
        <p>The link stops working at once; {email} is told it was revoked if they open it.</p>
        <FormError>{revoke.error}</FormError>
      </Dialog>
    </span>
  )
}
