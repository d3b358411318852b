'use client'
import { useRouter } from 'next/navigation'
import { useState } from 'react'
import { Button } from '@/components/ui/button'
import { Field, FormError, Input } from '@/components/ui/field'
import { Select } from '@/components/ui/select'
import { submitted, useOrgAction } from '@/components/ui/use-org-action'
import { createRouteAction, updateRouteAction } from '@/lib/gateway/actions'
import { AUTH_KIND_LABELS, AUTH_KINDS, LIMITS, type AuthKind } from '@/lib/gateway/schemas'
import { ENVIRONMENTS } from '@/lib/inventory/schemas'

export type RouteFormValues = {
  name: string
  pathPrefix: string
  upstreamUrl: string
  environment: string
  authKind: AuthKind
  authHeader: string
  authPrefix: string
  secretRef: string
  oauthTokenUrl: string
  oauthClientId: string
  oauthScope: string
  connectTimeoutMs: string
  timeoutMs: string
  maxBodyBytes: string
  ratePerSecond: string
  burst: string
}

export const EMPTY_ROUTE: RouteFormValues = {
  name: '',
  pathPrefix: '',
  upstreamUrl: '',
  environment: 'production',
  authKind: 'none',
  authHeader: 'Authorization',
  authPrefix: 'Bearer ',
  secretRef: '',
  oauthTokenUrl: '',
  oauthClientId: '',
  oauthScope: '',
  connectTimeoutMs: String(LIMITS.connectTimeoutMs.default),
  timeoutMs: String(LIMITS.timeoutMs.default),
  maxBodyBytes: String(LIMITS.maxBodyBytes.default),
  ratePerSecond: String(LIMITS.ratePerSecond.default),
  burst: String(LIMITS.burst.default),
}

const ENV_OPTIONS = ENVIRONMENTS.map((e) => ({ value: e, label: e }))
const AUTH_OPTIONS = AUTH_KINDS.map((k) => ({ value: k, label: AUTH_KIND_LABELS[k] }))

/** The new-route form, and the same fields to edit a route (routeId given). */
export function RouteForm({
  orgSlug,
  routeId,
  initial = EMPTY_ROUTE,
  onDone,
}: {
  orgSlug: string
  routeId?: string
  initial?: RouteFormValues
  onDone?: () => void
}) {
  const router = useRouter()
  const [v, setV] = useState(initial)
  const set = (k: keyof RouteFormValues) => (e: { target: { value: string } }) => setV((cur) => ({ ...cur, [k]: e.target.value }))
  const create = useOrgAction(createRouteAction, { onSuccess: (r) => router.push(`/${orgSlug}/gateway/${r.id}`), refresh: false })
  const update = useOrgAction(updateRouteAction, { onSuccess: () => onDone?.() })
  const action = routeId ? update : create
  const fe = action.fieldErrors
  const submit = () => {
    const body = { orgSlug, ...v, authKind: v.authKind }
    if (routeId) void update.run({ ...body, routeId, environment: v.environment as never })
    else void create.run({ ...body, environment: v.environment as never })
  }
  return (
    <form onSubmit={submitted(submit)} className="space-y-5" data-testid="route-form" noValidate>
      <div className="grid gap-4 sm:grid-cols-2">
        <Field label="Name" hint="What the route reaches, e.g. “Payments API”." error={fe.name}>
          <Input value={v.name} onChange={set('name')} maxLength={80} autoComplete="off" data-autofocus name="name" />
        </Field>
        <Field label="Environment" hint="Writes to a production route are privileged access." error={fe.environment}>
          <Select value={v.environment} onChange={set('environment')} options={ENV_OPTIONS} name="environment" />
        </Field>
        <Field label="Path prefix at the gateway" hint="Callers send /payments/… to the gateway: lower-case, like /payments or /crm/v2." error={fe.pathPrefix}>
          <Input value={v.pathPrefix} onChange={set('pathPrefix')} placeholder="/payments" className="font-mono" name="pathPrefix" />
        </Field>
        <Field label="Upstream base URL" hint="The rest of the path is appended to it." error={fe.upstreamUrl}>
          <Input value={v.upstreamUrl} onChange={set('upstreamUrl')} placeholder="https://api.example.com/v1" className="font-mono" name="upstreamUrl" />
        </Field>
      </div>

      <fieldset className="space-y-4 rounded-md border border-slate-200 p-4">
        <legend className="px-1 text-sm font-medium text-slate-700">How the gateway authenticates upstream</legend>
        <Field label="Upstream authentication" error={fe.authKind}>
          <Select value={v.authKind} onChange={set('authKind')} options={AUTH_OPTIONS} className="max-w-sm" name="authKind" />
        </Field>
        {v.authKind === 'header' ? (
          <div className="grid gap-4 sm:grid-cols-3">
            <Field label="Header" error={fe.authHeader}>
              <Input value={v.authHeader} onChange={set('authHeader')} className="font-mono" name="authHeader" />
            </Field>
            <Field label="Value prefix (optional)" hint="e.g. “Bearer ” (with its space)." error={fe.authPrefix}>
              <Input value={v.authPrefix} onChange={set('authPrefix')} className="font-mono" name="authPrefix" />
            </Field>
            <Field
              label="Secret reference"
              hint="The environment variable of the gateway process that holds the secret. Never the secret itself."
              error={fe.secretRef}
            >
              <Input value={v.secretRef} onChange={set('secretRef')} placeholder="PAYMENTS_API_KEY" className="font-mono" name="secretRef" autoComplete="off" />
            </Field>
          </div>
        ) : null}
        {v.authKind === 'oauth2_client_credentials' ? (
          <div className="grid gap-4 sm:grid-cols-2">
            <Field label="Token endpoint" error={fe.oauthTokenUrl}>
              <Input
                value={v.oauthTokenUrl}
                onChange={set('oauthTokenUrl')}
                placeholder="https://auth.example.com/oauth/token"
                className="font-mono"
                name="oauthTokenUrl"
              />
            </Field>
            <Field label="Client id" error={fe.oauthClientId}>
              <Input value={v.oauthClientId} onChange={set('oauthClientId')} className="font-mono" name="oauthClientId" autoComplete="off" />
            </Field>
            <Field label="Client secret reference" hint="The environment variable that holds the client secret." error={fe.secretRef}>
              <Input
                value={v.secretRef}
                onChange={set('secretRef')}
                placeholder="PAYMENTS_CLIENT_SECRET"
                className="font-mono"
                name="secretRef"
                autoComplete="off"
              />
            </Field>
            <Field label="Scope (optional)" error={fe.oauthScope}>
              <Input value={v.oauthScope} onChange={set('oauthScope')} className="font-mono" name="oauthScope" />
            </Field>
          </div>
        ) : null}
      </fieldset>

      <fieldset className="rounded-md border border-slate-200 p-4">
        <legend className="px-1 text-sm font-medium text-slate-700">Limits</legend>
        <div className="grid gap-4 sm:grid-cols-5">
          <Field label="Connect timeout (ms)" error={fe.connectTimeoutMs}>
            <Input type="number" value={v.connectTimeoutMs} onChange={set('connectTimeoutMs')} name="connectTimeoutMs" />
          </Field>
          <Field label="Timeout (ms)" error={fe.timeoutMs}>
            <Input type="number" value={v.timeoutMs} onChange={set('timeoutMs')} name="timeoutMs" />
          </Field>
          <Field label="Largest body (bytes)" error={fe.maxBodyBytes}>
            <Input type="number" value={v.maxBodyBytes} onChange={set('maxBodyBytes')} name="maxBodyBytes" />
          </Field>
          <Field label="Requests / second" hint="Per identity, per gateway process." error={fe.ratePerSecond}>
            <Input type="number" value={v.ratePerSecond} onChange={set('ratePerSecond')} name="ratePerSecond" />
          </Field>
          <Field label="Burst" error={fe.burst}>
            <Input type="number" value={v.burst} onChange={set('burst')} name="burst" />
          </Field>
        </div>
      </fieldset>

      <FormError>{Object.keys(fe).length ? null : action.error}</FormError>
      <div className="flex gap-2">
        <Button type="submit" disabled={action.pending} data-testid="route-save">
          {action.pending ? 'Saving…' : routeId ? 'Save changes' : 'Create route'}
        </Button>
        {onDone ? (
          <Button type="button" variant="secondary" onClick={onDone}>
            Cancel
          </Button>
        ) : null}
      </div>
    </form>
  )
}
