'use client'
import { useRouter } from 'next/navigation'
import { useState } from 'react'
import { Button } from '@/components/ui/button'
import { Dialog } from '@/components/ui/dialog'
import { Field, FormError } from '@/components/ui/field'
import { Select } from '@/components/ui/select'
import { useOrgAction } from '@/components/ui/use-org-action'
import { revokeApiTokenAction, rotateApiTokenAction } from '@/lib/api-tokens/actions'
import { SecretOnce } from './secret-once'

const OVERLAP = [
  { value: '0', label: 'None: the old secret stops now' },
  { value: '1', label: '1 hour' },
  { value: '24', label: '1 day' },
  { value: '168', label: '1 week' },
]

export function TokenActions({ orgSlug, tokenId, name }: { orgSlug: string; tokenId: string; name: string }) {
  const [dialog, setDialog] = useState<'rotate' | 'revoke' | null>(null)
  const [overlap, setOverlap] = useState('24')
  const [secret, setSecret] = useState<string | null>(null)
  const router = useRouter()
  // The page is re-read when the new secret's dialog closes: refreshing under it would remount the row and lose the secret.
  const rotate = useOrgAction(rotateApiTokenAction, { onSuccess: (r) => setSecret(r.token), refresh: false })
  const revoke = useOrgAction(revokeApiTokenAction, { onSuccess: () => setDialog(null) })
  const close = () => {
    setDialog(null)
    if (secret) router.refresh()
    setSecret(null)
  }
  return (
    <span className="flex justify-end gap-1">
      <Button size="sm" variant="ghost" onClick={() => setDialog('rotate')} aria-label={`Rotate ${name}`}>
        Rotate
      </Button>
      <Button size="sm" variant="ghost" className="text-rose-700" onClick={() => setDialog('revoke')} aria-label={`Revoke ${name}`}>
        Revoke
      </Button>
      <Dialog
        open={dialog === 'rotate'}
        onClose={close}
        busy={rotate.pending}
        title={secret ? 'New secret' : `Rotate “${name}”?`}
        testId="rotate-token-dialog"
        confirm={
          secret
            ? undefined
            : {
                label: rotate.pending ? 'Rotating…' : 'Rotate',
                disabled: rotate.pending,
                onClick: () => rotate.run({ orgSlug, tokenId, overlapHours: Number(overlap) }),
              }
        }
        footer={
          secret ? (
            <Button type="button" onClick={close}>
              Done
            </Button>
          ) : undefined
        }
      >
        {secret ? (
          <SecretOnce token={secret} />
        ) : (
          <>
            <p>A new secret replaces the current one; the scopes, expiry and addresses stay. Give callers time to switch:</p>
            <Field label="Old secret keeps working for" error={rotate.fieldErrors.overlapHours}>
              <Select value={overlap} onChange={(e) => setOverlap(e.target.value)} options={OVERLAP} className="max-w-xs" />
            </Field>
            <FormError>{rotate.error}</FormError>
          </>
        )}
      </Dialog>
      <Dialog
        open={dialog === 'revoke'}
        onClose={close}
        busy={revoke.pending}
        title={`Revoke “${name}”?`}
        testId="revoke-token-dialog"
        confirm={{
          label: revoke.pending ? 'Revoking…' : 'Revoke',
          variant: 'danger',
          disabled: revoke.pending,
          onClick: () => revoke.run({ orgSlug, tokenId }),
        }}
      >
        <p>Calls with this token are refused at once, including a secret still in its rotation overlap. This cannot be undone.</p>
        <FormError>{revoke.error}</FormError>
      </Dialog>
    </span>
  )
}
