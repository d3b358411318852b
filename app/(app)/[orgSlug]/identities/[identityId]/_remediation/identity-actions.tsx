'use client'
import { useState } from 'react'
import { Badge } from '@/components/ui/badge'
import { Button } from '@/components/ui/button'
import { requestRemediationAction } from '@/lib/remediation/actions'
import { ConfirmDialog, type ConfirmSpec } from './confirm-dialog'
import { RemediationPoller } from './poller'
import { MODE_TEXT } from './remediation-status'
import type { RemediationContext, RemediationDto } from './types'

/** Header actions: the source's mode (live / simulated / manual), disable (quarantine) or restore, and the poller. */
export function IdentityRemediationActions({
  c,
  status,
  identityLevel,
  active,
  soakDays,
}: {
  c: RemediationContext
  status: string
  identityLevel: RemediationDto[]
  active: boolean
  soakDays: number
}) {
  const [spec, setSpec] = useState<ConfirmSpec | null>(null)
  const open = identityLevel.find((r) => r.status === 'pending' || r.status === 'manual')
  const quarantine = identityLevel.find((r) => r.kind === 'disable_identity' && r.status === 'applied' && r.soakUntil)
  const mode = MODE_TEXT[c.mode]
  return (
    <div className="flex flex-col items-end gap-2" data-testid="identity-remediation">
      <div className="flex items-center gap-2">
        <Badge tone={mode.tone} title={mode.help}>
          {mode.label}
        </Badge>
        {c.canRemediate && !open && status === 'active' ? (
          <Button
            variant="danger"
            size="sm"
            onClick={() =>
              setSpec({
                title: 'Disable identity',
                summary:
                  soakDays > 0 ? (
                    <>
                      Disable <strong>{c.identityName}</strong> at {c.sourceName} now. It stays <strong>quarantined for {soakDays} days</strong> — restorable
                      until then — and is deleted afterwards.
                    </>
                  ) : (
                    <>
                      Disable <strong>{c.identityName}</strong> at {c.sourceName}. It stays disabled until restored.
                    </>
                  ),
                confirmLabel: 'Disable',
                danger: true,
                submit: (justification) =>
                  requestRemediationAction({ orgSlug: c.orgSlug, target: { kind: 'disable_identity', identityId: c.identityId }, justification }),
              })
            }
          >
            Disable…
          </Button>
        ) : null}
        {c.canRemediate && !open && (status === 'quarantined' || status === 'disabled') ? (
          <Button
            variant="secondary"
            size="sm"
            onClick={() =>
              setSpec({
                title: 'Restore identity',
                summary: (
                  <>
                    Re-enable <strong>{c.identityName}</strong> at {c.sourceName}
                    {status === 'quarantined' ? ' and cancel its scheduled deletion' : ''}.
                  </>
                ),
                confirmLabel: 'Restore',
                submit: (justification) =>
                  requestRemediationAction({ orgSlug: c.orgSlug, target: { kind: 'enable_identity', identityId: c.identityId }, justification }),
              })
            }
          >
            Restore…
          </Button>
        ) : null}
      </div>
      {open ? (
        <p className="text-xs text-slate-600" data-testid="identity-remediation-open">
          {open.kind === 'disable_identity' ? 'Disable' : 'Restore'}{' '}
          {open.status === 'manual'
            ? 'waiting for a person (see Jobs)'
            : open.job?.status === 'retrying'
              ? `retrying: ${open.lastError ?? ''}`
              : 'in progress…'}
        </p>
      ) : null}
      {status === 'quarantined' && quarantine?.soakUntil ? (
        <p className="text-xs text-amber-800">Quarantined: deleted on {quarantine.soakUntil.slice(0, 10)} unless restored.</p>
      ) : null}
      <RemediationPoller orgSlug={c.orgSlug} identityId={c.identityId} active={active} />
      <ConfirmDialog spec={spec} onClose={() => setSpec(null)} />
    </div>
  )
}
