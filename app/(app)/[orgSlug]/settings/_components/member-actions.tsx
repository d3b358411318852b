'use client'
import { useState } from 'react'
import { Button } from '@/components/ui/button'
import { Dialog } from '@/components/ui/dialog'
import { FormError } from '@/components/ui/field'
import { countOf } from '@/components/ui/format'
import { useOrgAction } from '@/components/ui/use-org-action'
import { deactivateMemberAction, removeMemberAction } from '@/lib/members/actions'
import { StatusText } from '@/components/ui/status-text'

/** Remove or deactivate a person; their identities fall to backup owners, team leads, or become flagged as unowned. */
export function MemberActions({ orgSlug, userId, name, owned, active }: { orgSlug: string; userId: string; name: string; owned: number; active: boolean }) {
  const [mode, setMode] = useState<'remove' | 'deactivate' | null>(null)
  const [done, setDone] = useState<string | null>(null)
  const onSuccess = (r: { owned: number }) => {
    setMode(null)
    setDone(r.owned ? `Handing over ${countOf(r.owned, 'identity', 'identities')}…` : 'Done')
  }
  const remove = useOrgAction(removeMemberAction, { onSuccess })
  const deactivate = useOrgAction(deactivateMemberAction, { onSuccess })
  const act = mode === 'remove' ? remove : deactivate
  return (
    <span className="flex justify-end gap-1">
      <StatusText className="text-xs text-slate-500">{done}</StatusText>
      {active ? (
        <Button size="sm" variant="ghost" onClick={() => setMode('deactivate')} aria-label={`Deactivate ${name}`}>
          Deactivate
        </Button>
      ) : null}
      <Button size="sm" variant="ghost" className="text-rose-700" onClick={() => setMode('remove')} aria-label={`Remove ${name}`}>
        Remove
      </Button>
      <Dialog
        open={mode !== null}
        onClose={() => setMode(null)}
        title={mode === 'remove' ? `Remove ${name}?` : `Deactivate ${name}?`}
        confirm={{
          label: act.pending ? 'Working…' : mode === 'remove' ? 'Remove' : 'Deactivate',
          onClick: () => act.run({ orgSlug, userId }),
          variant: 'danger',
          disabled: act.pending,
        }}
      >
        <p>
          {mode === 'remove' ? `${name} loses access to this organization.` : `${name} can no longer sign in or own identities.`}{' '}
          {owned ? (
            <>
              Their <strong>{owned}</strong> {owned === 1 ? 'identity goes' : 'identities go'} to the backup owner, else the owning team&apos;s lead; any left
              over become unowned and are flagged (OWASP NHI1). The people affected are notified.
            </>
          ) : (
            'They own no identities.'
          )}
        </p>
        <FormError>{act.error}</FormError>
      </Dialog>
    </span>
  )
}
