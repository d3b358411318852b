'use client'
import { useState } from 'react'
import { ActionDialog, useDialogAction } from '@/components/ui/action-dialog'
import { Button } from '@/components/ui/button'
import { Field, Textarea } from '@/components/ui/field'
import { useOrgAction } from '@/components/ui/use-org-action'
import { forgetLeaseAction, renewLeaseAction, retryLeaseAction, revokeLeaseAction } from '@/lib/leases/actions'

/** Renew and revoke of an active lease (the domain checks who may: the owner, the requester, or a lease manager). */
export function ActiveLeaseActions({ orgSlug, leaseId, canRenew }: { orgSlug: string; leaseId: string; canRenew: boolean }) {
  const renew = useOrgAction(renewLeaseAction)
  const revoke = useDialogAction(revokeLeaseAction)
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
      <ActionDialog
        action={revoke}
        trigger={{ label: 'Revoke', size: 'sm', variant: 'danger', testId: `lease-revoke-${leaseId}` }}
        title="Revoke this credential now?"
        testId="lease-revoke-dialog"
        onSubmit={() => void revoke.run({ orgSlug, leaseId })}
        confirm={{ label: 'Revoke', pending: 'Revoking…', variant: 'danger', testId: 'lease-revoke-confirm' }}
      >
        <p className="text-sm text-slate-700">
          Its sessions are ended and the database role is dropped within seconds. Whoever holds the password loses access.
        </p>
      </ActionDialog>
      {renew.error ? <span className="text-xs text-rose-700">{renew.error}</span> : null}
    </span>
  )
}

/** A stuck lease: try again (after fixing what blocks it), or forget it (someone drops the role by hand). */
export function StuckLeaseActions({ orgSlug, leaseId, roleName }: { orgSlug: string; leaseId: string; roleName: string }) {
  const retry = useOrgAction(retryLeaseAction)
  const forget = useDialogAction(forgetLeaseAction)
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
      <ActionDialog
        action={forget}
        trigger={{ label: 'Forget', size: 'sm', variant: 'danger', testId: `lease-forget-${leaseId}` }}
        title="Forget this lease?"
        testId="lease-forget-dialog"
        onSubmit={() => void forget.run({ orgSlug, leaseId, justification: why })}
        confirm={{ label: 'Forget', pending: 'Forgetting…', variant: 'danger', testId: 'lease-forget-confirm' }}
        fields
      >
        <p className="text-sm text-slate-700">
          Custodian stops trying to drop <code className="font-mono">{roleName}</code>. If the role still exists, someone must drop it by hand; the audit log
          keeps its name.
        </p>
        <Field label="Why" error={forget.fieldErrors.justification}>
          <Textarea value={why} onChange={(e) => setWhy(e.target.value)} rows={3} name="justification" />
        </Field>
      </ActionDialog>
      {retry.error ? <span className="text-xs text-rose-700">{retry.error}</span> : null}
    </span>
  )
}
