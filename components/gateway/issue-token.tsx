'use client'
import { useRouter } from 'next/navigation'
import { useState } from 'react'
import { Button } from '@/components/ui/button'
import { Dialog } from '@/components/ui/dialog'
import { Field, FormError, Input } from '@/components/ui/field'
import { Select } from '@/components/ui/select'
import { useOrgAction } from '@/components/ui/use-org-action'
import { issueGatewayTokenAction } from '@/lib/gateway/actions'

const EXPIRY = [
  { value: '1', label: '1 day' },
  { value: '7', label: '7 days' },
  { value: '30', label: '30 days' },
  { value: '90', label: '90 days' },
  { value: '365', label: '1 year (the longest)' },
]

/** Issues a gateway token acting as one identity (chosen here, or fixed by the page): its secret is shown once. */
export function IssueGatewayToken({
  orgSlug,
  identity,
  identities,
  size = 'sm',
}: {
  orgSlug: string
  identity?: { id: string; name: string }
  identities?: { id: string; name: string }[]
  size?: 'sm' | 'md'
}) {
  const router = useRouter()
  const [open, setOpen] = useState(false)
  const [identityId, setIdentityId] = useState(identity?.id ?? '')
  const [name, setName] = useState(identity ? `${identity.name} gateway` : '')
  const [days, setDays] = useState('30')
  const [secret, setSecret] = useState<string | null>(null)
  // The page is re-read when the secret's dialog closes, not under it.
  const issue = useOrgAction(issueGatewayTokenAction, { onSuccess: (t) => setSecret(t.token), refresh: false })
  const close = () => {
    setOpen(false)
    if (secret) router.refresh()
    setSecret(null)
    issue.reset()
  }
  return (
    <>
      <Button size={size} variant="secondary" onClick={() => setOpen(true)} data-testid="issue-gateway-token">
        Issue a gateway token
      </Button>
      <Dialog
        open={open}
        onClose={close}
        busy={issue.pending}
        title={secret ? 'Gateway token issued' : 'Issue a gateway token'}
        testId="issue-gateway-token-dialog"
        onSubmit={secret ? close : () => void issue.run({ orgSlug, identityId, name, expiresInDays: Number(days) })}
        confirm={secret ? undefined : { label: issue.pending ? 'Issuing…' : 'Issue token', disabled: issue.pending, testId: 'issue-gateway-token-confirm' }}
        footer={
          secret ? (
            <Button type="button" onClick={close}>
              Done
            </Button>
          ) : undefined
        }
      >
        {secret ? (
          <div className="space-y-2">
            <p className="font-medium text-slate-900">Copy the token now: Custodian keeps only a hash and cannot show it again.</p>
            <code data-testid="new-gateway-token" className="block rounded-md bg-slate-100 px-2 py-1.5 font-mono text-xs break-all text-slate-900 select-all">
              {secret}
            </code>
            <p className="text-xs text-slate-600">
              The identity sends it to the gateway as <code className="font-mono">Authorization: Bearer …</code>. It calls only what the route rules allow this
              identity, and the Custodian API refuses it.
            </p>
          </div>
        ) : (
          <>
            {identity ? (
              <p className="text-sm text-slate-700">
                Acts as <span className="font-medium">{identity.name}</span> at the gateway.
              </p>
            ) : (
              <Field label="Identity" hint="The token calls through the gateway as this identity." error={issue.fieldErrors.identityId}>
                <Select
                  value={identityId}
                  onChange={(e) => setIdentityId(e.target.value)}
                  any="Choose an identity…"
                  options={(identities ?? []).map((i) => ({ value: i.id, label: i.name }))}
                  name="identityId"
                />
              </Field>
            )}
            <Field label="Name" hint="Say where it is used, e.g. “orders-worker in prod”." error={issue.fieldErrors.name}>
              <Input value={name} onChange={(e) => setName(e.target.value)} maxLength={80} autoComplete="off" name="name" />
            </Field>
            <Field label="Expires after" error={issue.fieldErrors.expiresInDays}>
              <Select value={days} onChange={(e) => setDays(e.target.value)} options={EXPIRY} className="max-w-xs" />
            </Field>
            <FormError>{Object.keys(issue.fieldErrors).length ? null : issue.error}</FormError>
          </>
        )}
      </Dialog>
    </>
  )
}
