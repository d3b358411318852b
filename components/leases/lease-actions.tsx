'use client'
import { useState } from 'react'
import { Button } from '@/components/ui/button'
import { Dialog } from '@/components/ui/dialog'
import { Field, FormError, Textarea } from '@/components/ui/field'
import { useOrgAction } from '@/components/ui/use-org-action'
import { forgetLeaseAction, renewLeaseAction, retryLeaseAction, revokeLeaseAction } from '@/lib/leases/actions'

/** Renew and revoke of an active lease (the domain checks who may: the owner, the requester, or a lease manager). */
export function ActiveLeaseActions({ orgSlug, leaseId, canRenew }: { orgSlug: string; leaseId: string; canRenew: boolean }) {
  const renew = useOrgAction(renewLeaseAction)
  const revoke = useOrgAction(revokeLeaseAction)
  const [confirm, setConfirm] = useState(false)
  return (
    <span className="inline-flex items-center gap-1">
      {canRenew ? (
        <Button
          size="sm"
          variant="secondary"
          disabled={renew.pending}
          onClick={() => void renew.run({ orgSlug, leaseId })}
          data-testid={`lease-renew-${leaseId}`}
        >
          {renew.pending ? 'Renewing…' : 'Renew'}
        </Button>
      ) : null}
      <Button size="sm" variant="danger" onClick={() => setConfirm(true)} data-testid={`lease-revoke-${leaseId}`}>
        Revoke
      </Button>
      {renew.error || revoke.error ? <span className="text-xs text-rose-700">{renew.error ?? revoke.error}</span> : null}
      <Dialog
        open={confirm}
        onClose={() => setConfirm(false)}
        busy={revoke.pending}
        title="Revoke this credential now?"
        testId="lease-revoke-dialog"
        onSubmit={() => void revoke.run({ orgSlug, leaseId }).then(() => setConfirm(false))}
        confirm={{ label: revoke.pending ? 'Revoking…' : 'Revoke', variant: 'danger', disabled: revoke.pending, testId: 'lease-revoke-confirm' }}
      >
        <p className="text-sm text-slate-700">
          Its sessions are ended and the database role is dropped within seconds. Whoever holds the password loses access.
        </p>
      </Dialog>
    </span>
  )
}

/** A stuck lease: try again (after fixing what blocks it), or forget it (someone drops the role by hand). */
export function StuckLeaseActions({ orgSlug, leaseId, roleName }: { orgSlug: string; leaseId: string; roleName: string }) {
  const retry = useOrgAction(retryLeaseAction)
  const forget = useOrgAction(forgetLeaseAction, { onSuccess: () => setOpen(false) })
  const [open, setOpen] = useState(false)
  const [why, setWhy] = useState('')
  return (
    <span className="inline-flex items-center gap-1">
      <Button
        size="sm"
        variant="secondary"
        disabled={retry.pending}
        onClick={() => void retry.run({ orgSlug, leaseId })}
        data-testid={`lease-retry-${leaseId}`}
      >
        {retry.pending ? 'Retrying…' : 'Retry'}
      </Button>
      <Button size="sm" variant="danger" onClick={() => setOpen(true)} data-testid={`lease-forget-${leaseId}`}>
        Forget
      </Button>
      {retry.error ? <span className="text-xs text-rose-700">{retry.error}</span> : null}
      <Dialog
        open={open}
        onClose={() => setOpen(false)}
        busy={forget.pending}
        title="Forget this lease?"
        testId="lease-forget-dialog"
        onSubmit={() => void forget.run({ orgSlug, leaseId, justification: why })}
        confirm={{ label: forget.pending ? 'Forgetting…' : 'Forget', variant: 'danger', disabled: forget.pending, testId: 'lease-forget-confirm' }}
      >
        <p className="text-sm text-slate-700">
          Custodian stops trying to drop <code className="font-mono">{roleName}</code>. If the role still exists, someone must drop it by hand; the audit log
          keeps its name.
        </p>
        <Field label="Why" error={forget.fieldErrors.justification}>
          <Textarea value={why} onChange={(e) => setWhy(e.target.value)} rows={3} name="justification" />
        </Field>
        <FormError>{Object.keys(forget.fieldErrors).length ? null : forget.error}</FormError>
      </Dialog>
    </span>
  )
}
