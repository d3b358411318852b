'use client'
import { useRouter } from 'next/navigation'
import { countOf } from '@/components/ui/format'
import { useState } from 'react'
import { Button } from '@/components/ui/button'
import { deactivateMemberAction, removeMemberAction } from '@/lib/members/actions'
import { ErrorText, Modal } from '../../identities/_components/modal'

/** Remove or deactivate a person; their identities fall to backup owners, team leads, or become flagged as unowned. */
export function MemberActions({ orgSlug, userId, name, owned, active }: { orgSlug: string; userId: string; name: string; owned: number; active: boolean }) {
  const router = useRouter()
  const [mode, setMode] = useState<'remove' | 'deactivate' | null>(null)
  const [busy, setBusy] = useState(false)
  const [error, setError] = useState<string | null>(null)
  const [done, setDone] = useState<string | null>(null)
  const confirm = async () => {
    setBusy(true)
    setError(null)
    const r = mode === 'remove' ? await removeMemberAction({ orgSlug, userId }) : await deactivateMemberAction({ orgSlug, userId })
    setBusy(false)
    if (!r.ok) return setError(r.error)
    setMode(null)
    setDone(r.data.owned ? `Handing over ${countOf(r.data.owned, 'identity', 'identities')}…` : 'Done')
    router.refresh()
  }
  return (
    <span className="flex justify-end gap-1">
      {done ? <span className="text-xs text-slate-500" role="status">{done}</span> : null}
      {active ? <Button size="sm" variant="ghost" onClick={() => setMode('deactivate')} aria-label={`Deactivate ${name}`}>Deactivate</Button> : null}
      <Button size="sm" variant="ghost" className="text-rose-700" onClick={() => setMode('remove')} aria-label={`Remove ${name}`}>Remove</Button>
      <Modal
        open={mode !== null}
        onClose={() => setMode(null)}
        title={mode === 'remove' ? `Remove ${name}?` : `Deactivate ${name}?`}
        footer={
          <>
            <Button variant="secondary" onClick={() => setMode(null)}>Cancel</Button>
            <Button variant="danger" onClick={confirm} disabled={busy}>{busy ? 'Working…' : mode === 'remove' ? 'Remove' : 'Deactivate'}</Button>
          </>
        }
      >
        <p>
          {mode === 'remove' ? `${name} loses access to this organization.` : `${name} can no longer sign in or own identities.`}{' '}
          {owned ? (
            <>
              Their <strong>{owned}</strong> {owned === 1 ? 'identity goes' : 'identities go'} to the backup owner, else the owning team&apos;s lead; any left over become unowned and are flagged (OWASP NHI1). The people affected are notified.
            </>
          ) : (
            'They own no identities.'
          )}
        </p>
        <ErrorText>{error}</ErrorText>
      </Modal>
    </span>
  )
}
