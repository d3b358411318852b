'use client'
import { useState } from 'react'
import { Badge } from '@/components/ui/badge'
import { Button } from '@/components/ui/button'
import { Field, FormError, Input } from '@/components/ui/field'
import { Select } from '@/components/ui/select'
import { submitted, useOrgAction } from '@/components/ui/use-org-action'
import { simulatePoliciesAction } from '@/lib/policies/actions'

type Choice = { id: string; name: string; kind?: string; environment: string }
const ACTIONS = [
  { value: 'exchange', label: 'exchange' },
  { value: 'gateway_call', label: 'gateway_call' },
  { value: 'api_call', label: 'api_call' },
]

/** A request in, the decision out, with the policies that determined it: the same decision function as enforcement. */
export function Simulator({ orgSlug, identities, routes }: { orgSlug: string; identities: Choice[]; routes: Choice[] }) {
  const [identityId, setIdentityId] = useState(identities[0]?.id ?? '')
  const [action, setAction] = useState<'exchange' | 'gateway_call' | 'api_call'>('exchange')
  const [target, setTarget] = useState('custodian-api')
  const [scopes, setScopes] = useState('identities:read')
  const [ttl, setTtl] = useState('900')
  const [task, setTask] = useState('')
  const [method, setMethod] = useState('GET')
  const [path, setPath] = useState('/')
  const [operation, setOperation] = useState('listIdentities')
  const [at, setAt] = useState('')
  const [sourceIp, setSourceIp] = useState('10.0.0.7')
  const [tokenKind, setTokenKind] = useState<'gateway_token' | 'access_token'>('gateway_token')
  const [unusual, setUnusual] = useState(false)
  const [scope, setScope] = useState('identities:read')
  const sim = useOrgAction(simulatePoliciesAction, { refresh: false })
  if (identities.length === 0)
    return <p className="text-sm text-slate-500">The simulator asks about an identity of the inventory; there are no active identities yet.</p>

  const run = () => {
    const ttlSeconds = Number(ttl)
    if (!Number.isInteger(ttlSeconds) || ttlSeconds < 1) return sim.setError('The TTL is a whole number of seconds.')
    void sim.run({
      orgSlug,
      action,
      identityId,
      target,
      scopes: scopes.split(/[\s,]+/).filter(Boolean),
      ttlSeconds,
      task,
      method,
      path,
      operation,
      sourceIp: sourceIp.trim() || '0.0.0.0',
      tokenKind,
      unusual,
      scope,
      ...(at ? { at: new Date(`${at}Z`) } : {}),
    })
  }
  const r = sim.result?.ok ? sim.result.data : null
  return (
    <form onSubmit={submitted(run)} className="space-y-3" data-testid="simulator" noValidate>
      <Field label="Identity">
        <Select
          value={identityId}
          onChange={(e) => setIdentityId(e.target.value)}
          options={identities.map((i) => ({ value: i.id, label: `${i.name} · ${i.kind} · ${i.environment}` }))}
          data-testid="sim-identity"
        />
      </Field>
      <div className="grid gap-3 sm:grid-cols-2">
        <Field label="Action">
          <Select value={action} onChange={(e) => setAction(e.target.value as typeof action)} options={ACTIONS} data-testid="sim-action" />
        </Field>
        <Field label="Target" hint={action === 'api_call' ? 'An API call is always to the Custodian API.' : undefined}>
          <Select
            disabled={action === 'api_call'}
            value={target}
            onChange={(e) => setTarget(e.target.value)}
            options={[
              { value: 'custodian-api', label: 'Custodian API' },
              ...routes.map((r) => ({ value: `gateway:${r.id}`, label: `Route ${r.name} · ${r.environment}` })),
            ]}
            data-testid="sim-target"
          />
        </Field>
      </div>
      {action === 'exchange' ? (
        <div className="grid gap-3 sm:grid-cols-2">
          <Field label="Scopes" hint="Separated by spaces.">
            <Input value={scopes} onChange={(e) => setScopes(e.target.value)} data-testid="sim-scopes" />
          </Field>
          <Field label="TTL (seconds)">
            <Input value={ttl} onChange={(e) => setTtl(e.target.value)} inputMode="numeric" data-testid="sim-ttl" />
          </Field>
          <Field label="Task" hint="Empty: no task." className="sm:col-span-2">
            <Input value={task} onChange={(e) => setTask(e.target.value)} maxLength={200} data-testid="sim-task" />
          </Field>
        </div>
      ) : (
        <div className="grid gap-3 sm:grid-cols-2">
          <Field label="Method">
            <Input value={method} onChange={(e) => setMethod(e.target.value)} maxLength={10} />
          </Field>
          {action === 'gateway_call' ? (
            <>
              <Field label="Path" hint="Below the route’s prefix.">
                <Input value={path} onChange={(e) => setPath(e.target.value)} data-testid="sim-path" />
              </Field>
              <Field label="Source address" error={sim.fieldErrors.sourceIp}>
                <Input value={sourceIp} onChange={(e) => setSourceIp(e.target.value)} maxLength={45} data-testid="sim-source-ip" />
              </Field>
              <Field label="Token">
                <Select
                  value={tokenKind}
                  onChange={(e) => setTokenKind(e.target.value as typeof tokenKind)}
                  options={[
                    { value: 'gateway_token', label: 'Gateway token' },
                    { value: 'access_token', label: 'Exchanged token' },
                  ]}
                  data-testid="sim-token-kind"
                />
              </Field>
              {tokenKind === 'access_token' ? (
                <Field label="Task" hint="Empty: no task.">
                  <Input value={task} onChange={(e) => setTask(e.target.value)} maxLength={200} />
                </Field>
              ) : null}
              <label className="flex items-center gap-2 text-sm text-slate-700 sm:col-span-2">
                <input type="checkbox" checked={unusual} onChange={(e) => setUnusual(e.target.checked)} data-testid="sim-unusual" />
                The identity has an open “unusual gateway use” finding
              </label>
            </>
          ) : (
            <>
              <Field label="Operation" hint="The operation id, e.g. listIdentities.">
                <Input value={operation} onChange={(e) => setOperation(e.target.value)} data-testid="sim-operation" />
              </Field>
              <Field label="Scope needed">
                <Input value={scope} onChange={(e) => setScope(e.target.value)} maxLength={100} data-testid="sim-scope" />
              </Field>
              <Field label="Task" hint="The access token’s task; empty: none.">
                <Input value={task} onChange={(e) => setTask(e.target.value)} maxLength={200} />
              </Field>
            </>
          )}
        </div>
      )}
      <Field label="When (UTC)" hint="Empty: now.">
        <Input type="datetime-local" value={at} onChange={(e) => setAt(e.target.value)} data-testid="sim-at" />
      </Field>
      <FormError>{sim.error ?? (Object.values(sim.fieldErrors).flat().join(' ') || null)}</FormError>
      <Button type="submit" variant="secondary" disabled={sim.pending} data-testid="sim-run">
        {sim.pending ? 'Deciding…' : 'Decide'}
      </Button>
      {r ? (
        <div className="space-y-2 rounded-md border border-slate-200 p-3 text-sm" aria-live="polite" data-testid="sim-result">
          <p className="flex items-center gap-2">
            <Badge tone={r.decision === 'allow' ? 'green' : 'red'}>{r.decision}</Badge>
            <span className="text-slate-700" data-testid="sim-decision">
              {r.decision === 'allow'
                ? r.policies.length
                  ? `Allowed; permitted by ${r.policies.join(', ')}.`
                  : 'Allowed: no policy forbids it.'
                : `Denied by ${r.policies.join(', ') || 'an evaluation error'}.`}
            </span>
          </p>
          {r.errors.map((e) => (
            <p key={e.policyId} className="text-xs text-amber-700">
              {e.policyId}: {e.message}
            </p>
          ))}
          <details>
            <summary className="cursor-pointer text-xs text-slate-500">Request as Cedar sees it (policies version {r.version})</summary>
            <pre tabIndex={0} aria-label="Request" className="mt-1 overflow-auto rounded bg-slate-50 p-2 font-mono text-[11px] text-slate-700">
              {JSON.stringify(r.request, null, 2)}
            </pre>
          </details>
        </div>
      ) : null}
    </form>
  )
}
