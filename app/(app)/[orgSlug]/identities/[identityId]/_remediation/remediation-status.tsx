import { Badge, type BadgeTone } from '@/components/ui/badge'
import { REMEDIATION_TONES, toneOf } from '@/components/ui/tones'
import type { RemediationDto } from './types'

const VERB: Record<string, string> = {
  revoke_grant: 'revoke',
  revoke_credential: 'revoke',
  rotate_credential: 'rotation',
  disable_identity: 'disable',
  enable_identity: 'restore',
  delete_identity: 'delete',
}

/** The state of the latest remediation on a row: queued/running/retrying while pending, then its outcome. */
export function RemediationStatus({ r }: { r: RemediationDto | undefined }) {
  if (!r) return null
  const verb = VERB[r.kind] ?? r.kind
  let text: string
  if (r.status === 'pending') {
    const js = r.job?.status
    text = js === 'running' ? `${verb} running` : js === 'retrying' ? `${verb} retrying (attempt ${r.job?.attempts}/${r.job?.maxAttempts})` : `${verb} queued`
  } else if (r.status === 'manual') text = `${verb}: manual task`
  else text = `${verb} ${r.status}`
  const title = [r.detail, r.instructions, r.lastError ? `Last error: ${r.lastError}` : null, `Justification: ${r.justification}`].filter(Boolean).join('\n')
  return (
    <span className="inline-flex flex-wrap items-center gap-1" data-testid="remediation-status" data-status={r.status}>
      <Badge tone={r.status === 'pending' && r.job?.status === 'retrying' ? 'amber' : toneOf(REMEDIATION_TONES, r.status)} title={title}>
        {text}
      </Badge>
      {r.simulated && r.status === 'applied' ? (
        <Badge tone="violet" title="Demo source: nothing was changed anywhere">
          simulated
        </Badge>
      ) : null}
      {r.status === 'failed' && r.lastError ? (
        <span className="max-w-xs truncate text-xs text-rose-700" title={r.lastError}>
          {r.lastError}
        </span>
      ) : null}
    </span>
  )
}

export const MODE_TEXT: Record<string, { label: string; tone: BadgeTone; help: string }> = {
  live: { label: 'Live connector', tone: 'green', help: 'Actions run against the source itself.' },
  simulated: {
    label: 'Simulated (demo source)',
    tone: 'violet',
    help: 'This demo source has no live connection: actions are simulated and change nothing outside Custodian.',
  },
  manual: {
    label: 'Manual',
    tone: 'amber',
    help: 'This source cannot be acted on automatically: each action becomes a task for a person (or your automation, through the webhook).',
  },
}
