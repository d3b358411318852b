import { Badge } from '@/components/ui/badge'
import type { PendingRequest } from './types'

const TEXT: Record<string, string> = { revoke_grant: 'revocation requested', revoke_credential: 'revocation requested', rotate_credential: 'rotation requested' }

/** An owner's request waiting for governance on this row. */
export function RequestStatus({ r }: { r: PendingRequest | undefined }) {
  if (!r) return null
  return (
    <span data-testid="request-status" data-kind={r.kind}>
      <Badge tone="blue" title={`Waiting for governance. Reason: ${r.justification}`}>{TEXT[r.kind] ?? 'requested'}</Badge>
    </span>
  )
}
