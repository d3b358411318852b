'use client'
import { useRouter } from 'next/navigation'
import { useState, useTransition } from 'react'
import { Button } from '@/components/ui/button'
import { revokeAcceptanceAction } from '@/lib/findings/actions'
import { ErrorText, Modal } from '../../identities/_components/modal'

/** Ends an accepted risk early, with a reason (audited); the finding is open again. */
export function RevokeAcceptanceButton({ orgSlug, findingId, title, identity }: { orgSlug: string; findingId: string; title: string; identity: string }) {
  const router = useRouter()
  const [open, setOpen] = useState(false)
  const [reason, setReason] = useState('')
  const [error, setError] = useState<string | null>(null)
  const [pending, start] = useTransition()
  return (
    <>
      <button type="button" className="mt-1 font-medium text-rose-700 underline decoration-rose-200 hover:decoration-rose-700" onClick={() => setOpen(true)}>
        Revoke acceptance
      </button>
      <Modal
        open={open}
        onClose={() => setOpen(false)}
        title="Revoke the accepted risk?"
        footer={
          <>
            <Button variant="secondary" onClick={() => setOpen(false)}>Cancel</Button>
            <Button
              variant="danger"
              disabled={pending || reason.trim().length < 5}
              onClick={() =>
                start(async () => {
                  const r = await revokeAcceptanceAction({ orgSlug, findingId, reason })
                  if (r.ok) {
                    setOpen(false)
                    router.refresh()
                  } else setError([r.error, ...Object.values(r.fieldErrors ?? {}).flat()].join(' '))
                })
              }
            >
              Revoke acceptance
            </Button>
          </>
        }
      >
        <p>
          “{title}” on <span className="font-medium">{identity}</span> opens again and counts in posture and risk from now on.
        </p>
        <label className="block">
          <span className="text-sm font-medium text-slate-700">Why does the acceptance end?</span>
          <textarea className="mt-1 block w-full rounded-md border border-slate-300 px-3 py-2 text-sm" rows={2} value={reason} onChange={(e) => setReason(e.target.value)} maxLength={1000} />
        </label>
        <ErrorText>{error}</ErrorText>
      </Modal>
    </>
  )
}
