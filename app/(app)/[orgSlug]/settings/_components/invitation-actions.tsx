'use client'
import { useRouter } from 'next/navigation'
import { useState, useTransition } from 'react'
import { Button } from '@/components/ui/button'
import { resendInvitationAction, revokeInvitationAction } from '@/lib/members/actions'
import { ErrorText, Modal } from '../../identities/_components/modal'
import { InvitationLink } from './invitation-link'

type Created = { path: string; email: string; expiresAt: string; emailed: boolean }

/** Re-send (a new link; the old one stops working) or revoke a pending invitation. */
export function InvitationActions({ orgSlug, invitationId, email }: { orgSlug: string; invitationId: string; email: string }) {
  const router = useRouter()
  const [pending, start] = useTransition()
  const [confirmRevoke, setConfirmRevoke] = useState(false)
  const [error, setError] = useState<string | null>(null)
  const [created, setCreated] = useState<Created | null>(null)
  return (
    <span className="flex flex-col items-end gap-2">
      <span className="flex justify-end gap-1">
        <Button
          size="sm"
          variant="ghost"
          disabled={pending}
          aria-label={`Re-send the invitation to ${email}`}
          onClick={() =>
            start(async () => {
              setError(null)
              const r = await resendInvitationAction({ orgSlug, invitationId })
              if (!r.ok) return setError(r.error)
              setCreated(r.data)
              router.refresh()
            })
          }
        >
          Re-send
        </Button>
        <Button size="sm" variant="ghost" className="text-rose-700" onClick={() => setConfirmRevoke(true)} aria-label={`Revoke the invitation to ${email}`}>Revoke</Button>
      </span>
      {error && !confirmRevoke ? <span className="text-xs text-rose-700" role="status">{error}</span> : null}
      {created ? <span className="block w-[32rem] max-w-full text-left"><InvitationLink {...created} onDone={() => setCreated(null)} /></span> : null}
      <Modal
        open={confirmRevoke}
        onClose={() => setConfirmRevoke(false)}
        title={`Revoke the invitation to ${email}?`}
        footer={
          <>
            <Button variant="secondary" onClick={() => setConfirmRevoke(false)}>Cancel</Button>
            <Button
              variant="danger"
              disabled={pending}
              onClick={() =>
                start(async () => {
                  setError(null)
                  const r = await revokeInvitationAction({ orgSlug, invitationId })
                  if (!r.ok) return setError(r.error)
                  setConfirmRevoke(false)
                  router.refresh()
                })
              }
            >
              {pending ? 'Revoking…' : 'Revoke'}
            </Button>
          </>
        }
      >
        <p>The link stops working at once; {email} is told it was revoked if they open it.</p>
        <ErrorText>{error}</ErrorText>
      </Modal>
    </span>
  )
}
