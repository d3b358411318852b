'use client'
// Client components import the same UI primitives (Button, Dialog, Field, Select, useOrgAction): import lists alike by shape.
import { useRouter } from 'next/navigation'
import { useState } from 'react'
import { Button } from '@/components/ui/button'
import { Dialog } from '@/components/ui/dialog'
import { Field, FormError, Input, Textarea } from '@/components/ui/field'
import { Select } from '@/components/ui/select'
import { useOrgAction } from '@/components/ui/use-org-action'
import {
  createApiTokenAction,
  createIdentityTokenAction,
  revokeApiTokenAction,
  revokeIdentityTokenAction,
  rotateApiTokenAction,
  rotateIdentityTokenAction,
} from '@/lib/api-tokens/actions'
import { API_AREAS, API_SCOPES, IDENTITY_TOKEN_SCOPES, type ApiScope, type IdentityTokenScope } from '@/lib/api-tokens/schemas'
import { doneFooter, SecretOnce } from './secret-once'

// The organization's tokens (Settings → API tokens) and an identity's own tokens (its page) share these dialogs. With
// `identityId` the token is limited to that identity: the scopes offered are the few such a token may hold.

const EXPIRY = [
  { value: '7', label: '7 days' },
  { value: '30', label: '30 days' },
  { value: '90', label: '90 days' },
  { value: '180', label: '180 days' },
  { value: '365', label: '1 year (the longest)' },
]

export function CreateToken({ orgSlug, identityId }: { orgSlug: string; identityId?: string }) {
  const offered: readonly ApiScope[] = identityId ? IDENTITY_TOKEN_SCOPES : API_SCOPES
  const areas = API_AREAS.filter((a) => offered.some((s) => s.startsWith(`${a}:`)))
  const [open, setOpen] = useState(false)
  const [name, setName] = useState('')
  const [days, setDays] = useState('90')
  const [scopes, setScopes] = useState<ApiScope[]>(['identities:read'])
  const [ips, setIps] = useState('')
  const [secret, setSecret] = useState<string | null>(null)
  const createOrg = useOrgAction(createApiTokenAction, { onSuccess: (t) => setSecret(t.token) })
  const createOwn = useOrgAction(createIdentityTokenAction, { onSuccess: (t) => setSecret(t.token) })
  const create = identityId ? createOwn : createOrg
  const submit = () => {
    const common = { orgSlug, name, expiresInDays: Number(days), allowedIps: ips }
    if (identityId) void createOwn.run({ ...common, identityId, scopes: scopes.filter((s): s is IdentityTokenScope => offered.includes(s)) })
    else void createOrg.run({ ...common, scopes })
  }
  const close = () => {
    setOpen(false)
    setSecret(null)
    setName('')
    setScopes(['identities:read'])
    setIps('')
  }
  const toggle = (s: ApiScope, on: boolean) => setScopes((cur) => (on ? [...cur, s] : cur.filter((x) => x !== s)))
  return (
    <>
      <Button onClick={() => setOpen(true)} data-testid="create-token">
        Create token
      </Button>
      <Dialog
        open={open}
        onClose={close}
        busy={create.pending}
        size="lg"
        title={secret ? 'Token created' : identityId ? 'Create a token for this identity' : 'Create an API token'}
        testId="create-token-dialog"
        onSubmit={secret ? close : submit}
        confirm={secret ? undefined : { label: create.pending ? 'Creating…' : 'Create token', disabled: create.pending, testId: 'create-token-confirm' }}
        footer={doneFooter(secret, close)}
      >
        {secret ? (
          <SecretOnce token={secret} />
        ) : (
          <>
            <Field label="Name" hint="Say what uses it, e.g. “CI inventory sync”." error={create.fieldErrors.name}>
              <Input value={name} onChange={(e) => setName(e.target.value)} maxLength={80} data-autofocus autoComplete="off" />
            </Field>
            <Field label="Expires after" error={create.fieldErrors.expiresInDays}>
              <Select value={days} onChange={(e) => setDays(e.target.value)} options={EXPIRY} className="max-w-xs" />
            </Field>
            <fieldset aria-describedby={create.fieldErrors.scopes ? 'scopes-error' : 'scopes-hint'}>
              <legend className="text-sm font-medium text-slate-700">Scopes</legend>
              <p id="scopes-hint" className="text-xs text-slate-500">
                {identityId
                  ? 'It reaches this identity only: reading the identity and its credentials.'
                  : 'Give only what the caller needs. Read lets it list and get; write lets it change.'}
              </p>
              {/* The scope grid is its own small table (areas × read/write); the import guide’s column table reads alike by shape only. */}
              <table className="mt-2 text-sm">
                <thead>
                  <tr className="text-left text-xs text-slate-500">
                    <th scope="col" className="pr-6 font-medium">
                      Area
                    </th>
                    <th scope="col" className="pr-4 font-medium">
                      Read
                    </th>
                    <th scope="col" className="font-medium">
                      Write
                    </th>
                  </tr>
                </thead>
                <tbody>
                  {areas.map((area) => (
                    <tr key={area}>
                      <th scope="row" className="pr-6 text-left font-normal text-slate-800 capitalize">
                        {area}
                      </th>
                      {(['read', 'write'] as const).map((level) => {
                        const s = `${area}:${level}` as ApiScope
                        if (!offered.includes(s))
                          return (
                            <td key={level} className="py-0.5 pr-4 text-slate-400" aria-label={`${area} ${level}: not for this token`}>
                              —
                            </td>
                          )
                        return (
                          <td key={level} className="py-0.5 pr-4">
                            <input
                              type="checkbox"
                              aria-label={`${area} ${level}`}
                              value={s}
                              checked={scopes.includes(s)}
                              onChange={(e) => toggle(s, e.target.checked)}
                              className="size-4 rounded border-slate-400 text-indigo-600"
                            />
                          </td>
                        )
                      })}
                    </tr>
                  ))}
                </tbody>
              </table>
              {create.fieldErrors.scopes ? (
                <p id="scopes-error" className="mt-1 text-xs font-medium text-rose-700">
                  {create.fieldErrors.scopes.join(' ')}
                </p>
              ) : null}
            </fieldset>
            <Field
              label="Allowed addresses (optional)"
              hint="Addresses or ranges, one per line (203.0.113.0/24). Empty: any address."
              error={create.fieldErrors.allowedIps}
            >
              <Textarea value={ips} onChange={(e) => setIps(e.target.value)} rows={2} className="font-mono" />
            </Field>
            <FormError>{Object.keys(create.fieldErrors).length ? null : create.error}</FormError>
          </>
        )}
      </Dialog>
    </>
  )
}

const OVERLAP = [
  { value: '0', label: 'None: the old secret stops now' },
  { value: '1', label: '1 hour' },
  { value: '24', label: '1 day' },
  { value: '168', label: '1 week' },
]

export function TokenActions({ orgSlug, tokenId, name, identityId }: { orgSlug: string; tokenId: string; name: string; identityId?: string }) {
  const [dialog, setDialog] = useState<'rotate' | 'revoke' | null>(null)
  const [overlap, setOverlap] = useState('24')
  const [secret, setSecret] = useState<string | null>(null)
  const router = useRouter()
  // The page is re-read when the new secret's dialog closes: refreshing under it would remount the row and lose the secret.
  const rotateOrg = useOrgAction(rotateApiTokenAction, { onSuccess: (r) => setSecret(r.token), refresh: false })
  const rotateOwn = useOrgAction(rotateIdentityTokenAction, { onSuccess: (r) => setSecret(r.token), refresh: false })
  const revokeOrg = useOrgAction(revokeApiTokenAction, { onSuccess: () => setDialog(null) })
  const revokeOwn = useOrgAction(revokeIdentityTokenAction, { onSuccess: () => setDialog(null) })
  const rotate = identityId ? rotateOwn : rotateOrg
  const revoke = identityId ? revokeOwn : revokeOrg
  const runRotate = (overlapHours: number) =>
    identityId ? rotateOwn.run({ orgSlug, identityId, tokenId, overlapHours }) : rotateOrg.run({ orgSlug, tokenId, overlapHours })
  const runRevoke = () => (identityId ? revokeOwn.run({ orgSlug, identityId, tokenId }) : revokeOrg.run({ orgSlug, tokenId }))
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
                onClick: () => runRotate(Number(overlap)),
              }
        }
        footer={doneFooter(secret, close)}
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
      {/* A destructive confirm is the shared Dialog with a danger button; other confirms (stop a schedule) read alike by shape. */}
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
          onClick: () => runRevoke(),
        }}
      >
        <p>Calls with this token are refused at once, including a secret still in its rotation overlap. This cannot be undone.</p>
        <FormError>{revoke.error}</FormError>
      </Dialog>
    </span>
  )
}
