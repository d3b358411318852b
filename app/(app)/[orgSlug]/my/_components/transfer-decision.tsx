'use client'
import { Button } from '@/components/ui/button'
import { useOrgAction } from '@/components/ui/use-org-action'
import { decideTransferAction } from '@/lib/ownership/actions'

export function TransferDecision({ orgSlug, transferId, identityName }: { orgSlug: string; transferId: string; identityName: string }) {
  const decide = useOrgAction(decideTransferAction)
  return (
    <span className="flex items-center gap-2">
      {decide.error ? <span className="text-xs text-rose-700">{decide.error}</span> : null}
      <Button size="sm" onClick={() => decide.run({ orgSlug, transferId, accept: true })} disabled={decide.pending} aria-label={`Accept ${identityName}`}>
        Accept
      </Button>
      <Button
        size="sm"
        variant="secondary"
        onClick={() => decide.run({ orgSlug, transferId, accept: false })}
        disabled={decide.pending}
        aria-label={`Decline ${identityName}`}
      >
        Decline
      </Button>
    </span>
  )
}
