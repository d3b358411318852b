'use client'
import { useRouter } from 'next/navigation'
import { useState, useTransition } from 'react'
import { Button } from '@/components/ui/button'
import { decideOwnerRequestAction } from '@/lib/requests/actions'
import { ErrorText, Modal } from '../../identities/_components/modal'

/** Approve in one click (the remediation runs as any other), or reject with a reason the owner is told. */
export function DecideRequest({ orgSlug, ownerRequestId, label }: { orgSlug: string; ownerRequestId: string; label: string }) {
  const router = useRouter()
  const [pending, start] = useTransition()
  const [rejecting, setRejecting] = useState(false)
  const [reason, setReason] = useState('')
  const [error, setError] = useState<string | null>(null)
  const decide = (approve: boolean) =>
    start(async () => {
      setError(null)
      const r = await decideOwnerRequestAction({ orgSlug, ownerRequestId, approve, ...(approve ? {} : { reason }) })
      if (!r.ok) return setError(r.fieldErrors?.reason?.[0] ?? r.error)
      setRejecting(false)
      router.refresh()
    })
  return (
    <span className="flex flex-col items-end gap-1">
      <span className="flex gap-1">
        <Button size="sm" disabled={pending} onClick={() => decide(true)} aria-label={`Approve: ${label}`}>{pending && !rejecting ? 'Approving…' : 'Approve'}</Button>
        <Button size="sm" variant="secondary" disabled={pending} onClick={() => setRejecting(true)} aria-label={`Reject: ${label}`}>Reject…</Button>
      </span>
      {error && !rejecting ? <span className="max-w-xs text-right text-xs text-rose-700" role="status">{error}</span> : null}
      <Modal
        open={rejecting}
        onClose={() => setRejecting(false)}
        title="Reject the request"
        footer={
          <>
            <Button variant="secondary" onClick={() => setRejecting(false)}>Cancel</Button>
            <Button variant="danger" disabled={pending} onClick={() => decide(false)}>{pending ? 'Rejecting…' : 'Reject'}</Button>
          </>
        }
      >
        <p>{label}</p>
        <label className="block">
          <span className="font-medium text-slate-700">Reason (the owner is told)</span>
          <textarea
            value={reason}
            onChange={(e) => setReason(e.target.value)}
            rows={3}
            maxLength={1000}
            aria-required
            className="mt-1 block w-full rounded-md border border-slate-300 px-2 py-1.5 text-sm focus:border-indigo-500 focus:outline-none focus:ring-1 focus:ring-indigo-500"
          />
        </label>
        <ErrorText>{error}</ErrorText>
      </Modal>
    </span>
  )
}
