'use client'
import { useRouter } from 'next/navigation'
import { useState } from 'react'
import { Button } from '@/components/ui/button'
import { Dialog } from '@/components/ui/dialog'
import { Field, FormError, Input } from '@/components/ui/field'
import { useOrgAction } from '@/components/ui/use-org-action'
import { createWebhookAction, deleteWebhookAction, redeliverWebhookAction, sendTestWebhookAction, setWebhookEnabledAction } from '@/lib/webhooks/actions'
import type { WebhookEvent } from '@/lib/webhooks/schemas'

/** The new subscription's signing secret: shown once, with a copy button. */
function SigningSecret({ secret }: { secret: string }) {
  const [copied, setCopied] = useState(false)
  return (
    <div className="space-y-2">
      <p className="font-medium text-slate-900">Copy the signing secret now: Custodian keeps it encrypted and cannot show it again.</p>
      <div className="flex items-center gap-2">
        <code data-testid="webhook-secret" className="min-w-0 flex-1 rounded-md bg-slate-100 px-2 py-1.5 font-mono text-xs break-all text-slate-900 select-all">
          {secret}
        </code>
        <Button type="button" size="sm" variant="secondary" onClick={() => void navigator.clipboard?.writeText(secret).then(() => setCopied(true))}>
          {copied ? 'Copied' : 'Copy'}
        </Button>
      </div>
      <p className="text-xs text-slate-600">
        Verify each request: base64 HMAC-SHA256 of <code className="font-mono">webhook-id.webhook-timestamp.body</code> under the secret’s bytes (after{' '}
        <code className="font-mono">whsec_</code>) must equal the <code className="font-mono">v1,</code> signature. Refuse timestamps older than five minutes.
      </p>
    </div>
  )
}

export function CreateWebhook({ orgSlug, events }: { orgSlug: string; events: { value: WebhookEvent; label: string }[] }) {
  const [open, setOpen] = useState(false)
  const [url, setUrl] = useState('')
  const [description, setDescription] = useState('')
  const [chosen, setChosen] = useState<WebhookEvent[]>([])
  const [secret, setSecret] = useState<string | null>(null)
  const router = useRouter()
  const create = useOrgAction(createWebhookAction, { onSuccess: (r) => setSecret(r.secret), refresh: false })
  const close = () => {
    setOpen(false)
    if (secret) router.refresh()
    setSecret(null)
    setUrl('')
    setDescription('')
    setChosen([])
  }
  const toggle = (e: WebhookEvent, on: boolean) => setChosen((cur) => (on ? [...cur, e] : cur.filter((x) => x !== e)))
  const all = chosen.length === events.length
  return (
    <>
      <Button onClick={() => setOpen(true)} data-testid="create-webhook">
        Add endpoint
      </Button>
      <Dialog
        open={open}
        onClose={close}
        busy={create.pending}
        size="lg"
        title={secret ? 'Endpoint added' : 'Add a webhook endpoint'}
        testId="create-webhook-dialog"
        onSubmit={secret ? close : () => void create.run({ orgSlug, url, events: chosen, description: description || undefined })}
        confirm={secret ? undefined : { label: create.pending ? 'Adding…' : 'Add endpoint', disabled: create.pending, testId: 'create-webhook-confirm' }}
        footer={
          secret ? (
            <Button type="button" onClick={close}>
              Done
            </Button>
          ) : undefined
        }
      >
        {secret ? (
          <SigningSecret secret={secret} />
        ) : (
          <>
            <Field label="Endpoint URL" hint="An https:// address that answers 2xx within 10 seconds." error={create.fieldErrors.url}>
              <Input
                value={url}
                onChange={(e) => setUrl(e.target.value)}
                maxLength={2000}
                placeholder="https://hooks.example.com/custodian"
                data-autofocus
                autoComplete="off"
                inputMode="url"
              />
            </Field>
            <Field label="Description (optional)" error={create.fieldErrors.description}>
              <Input value={description} onChange={(e) => setDescription(e.target.value)} maxLength={200} placeholder="Ticketing bridge" autoComplete="off" />
            </Field>
            <fieldset aria-describedby={create.fieldErrors.events ? 'events-error' : undefined}>
              <legend className="flex w-full items-center justify-between text-sm font-medium text-slate-700">
                Events
                <button
                  type="button"
                  className="text-xs font-medium text-indigo-700 hover:underline"
                  onClick={() => setChosen(all ? [] : events.map((e) => e.value))}
                >
                  {all ? 'Clear all' : 'Select all'}
                </button>
              </legend>
              <div className="mt-2 grid gap-x-6 gap-y-1.5 sm:grid-cols-2">
                {events.map((e) => (
                  <label key={e.value} className="flex items-start gap-2 text-sm">
                    <input
                      type="checkbox"
                      value={e.value}
                      checked={chosen.includes(e.value)}
                      onChange={(ev) => toggle(e.value, ev.target.checked)}
                      className="mt-0.5 size-4 rounded border-slate-400 text-indigo-600"
                    />
                    <span>
                      <span className="block font-mono text-xs text-slate-900">{e.value}</span>
                      <span className="block text-xs text-slate-500">{e.label}</span>
                    </span>
                  </label>
                ))}
              </div>
              {create.fieldErrors.events ? (
                <p id="events-error" className="mt-1 text-xs font-medium text-rose-700">
                  {create.fieldErrors.events.join(' ')}
                </p>
              ) : null}
            </fieldset>
            <FormError>{Object.keys(create.fieldErrors).length ? null : create.error}</FormError>
          </>
        )}
      </Dialog>
    </>
  )
}

export function WebhookActions({ orgSlug, subscriptionId, url, enabled }: { orgSlug: string; subscriptionId: string; url: string; enabled: boolean }) {
  const [confirmDelete, setConfirmDelete] = useState(false)
  const [sent, setSent] = useState(false)
  const test = useOrgAction(sendTestWebhookAction, { onSuccess: () => setSent(true) })
  const toggle = useOrgAction(setWebhookEnabledAction)
  const remove = useOrgAction(deleteWebhookAction, { onSuccess: () => setConfirmDelete(false) })
  const error = test.error ?? toggle.error
  return (
    <span className="flex flex-wrap items-center justify-end gap-1">
      {error ? (
        <span className="text-xs text-rose-700">{error}</span>
      ) : sent && !test.pending ? (
        <span className="text-xs text-emerald-700">Test queued</span>
      ) : null}
      <Button
        size="sm"
        variant="ghost"
        disabled={!enabled || test.pending}
        onClick={() => void test.run({ orgSlug, subscriptionId })}
        aria-label={`Send a test event to ${url}`}
      >
        {test.pending ? 'Sending…' : 'Send test'}
      </Button>
      <Button
        size="sm"
        variant="ghost"
        disabled={toggle.pending}
        onClick={() => void toggle.run({ orgSlug, subscriptionId, enabled: !enabled })}
        aria-label={`${enabled ? 'Disable' : 'Enable'} ${url}`}
      >
        {enabled ? 'Disable' : 'Enable'}
      </Button>
      <Button size="sm" variant="ghost" className="text-rose-700" onClick={() => setConfirmDelete(true)} aria-label={`Delete ${url}`}>
        Delete
      </Button>
      <Dialog
        open={confirmDelete}
        onClose={() => setConfirmDelete(false)}
        busy={remove.pending}
        title="Delete this endpoint?"
        testId="delete-webhook-dialog"
        confirm={{
          label: remove.pending ? 'Deleting…' : 'Delete',
          variant: 'danger',
          disabled: remove.pending,
          onClick: () => remove.run({ orgSlug, subscriptionId }),
        }}
      >
        <p className="break-all">
          <span className="font-medium">{url}</span> stops receiving events at once, and its delivery log is deleted with it. Retries still queued are dropped.
        </p>
        <FormError>{remove.error}</FormError>
      </Dialog>
    </span>
  )
}

export function RedeliverButton({ orgSlug, deliveryId, disabled }: { orgSlug: string; deliveryId: string; disabled: boolean }) {
  const again = useOrgAction(redeliverWebhookAction)
  return (
    <span className="flex items-center justify-end gap-1">
      {again.error ? <span className="text-xs text-rose-700">{again.error}</span> : null}
      <Button
        size="sm"
        variant="ghost"
        disabled={disabled || again.pending}
        title={disabled ? 'Enable the endpoint to redeliver.' : undefined}
        onClick={() => void again.run({ orgSlug, deliveryId })}
        data-testid="redeliver"
      >
        {again.pending ? 'Queuing…' : 'Redeliver'}
      </Button>
    </span>
  )
}
