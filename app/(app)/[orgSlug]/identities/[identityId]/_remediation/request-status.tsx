import Link from 'next/link'
import { Badge } from '@/components/ui/badge'
import type { PendingRequest } from './types'

const TEXT: Record<string, string> = {
  revoke_grant: 'revocation requested',
  revoke_credential: 'revocation requested',
  rotate_credential: 'rotation requested',
}

/** An owner's request waiting for governance on this row; those who decide get a link to the queue. */
export function RequestStatus({ r, queueHref }: { r: PendingRequest | undefined; queueHref?: string }) {
  if (!r) return null
  const badge = (
    <Badge tone="blue" title={`Waiting for governance. Reason: ${r.justification}`}>
      {TEXT[r.kind] ?? 'requested'}
    </Badge>
  )
  return (
    <span data-testid="request-status" data-kind={r.kind}>
      {queueHref ? (
        <Link href={queueHref} className="rounded-full focus-visible:outline-none focus-visible:ring-2 focus-visible:ring-indigo-500">
          {badge}
        </Link>
      ) : (
        badge
      )}
    </span>
  )
}
