'use client'
import { useRouter } from 'next/navigation'
import { useState } from 'react'
import { ActionDialog, useDialogAction } from '@/components/ui/action-dialog'
import { CheckboxGroup } from '@/components/ui/checkbox-group'
import { Field, Input, Textarea } from '@/components/ui/field'
import { Select } from '@/components/ui/select'
import { StatusToggle } from '@/components/ui/status-toggle'
import { createRuleAction, deleteProviderAction, deleteRuleAction, setProviderStatusAction, setRuleStatusAction } from '@/lib/federation/actions'
import { API_AUDIENCE, DEFAULT_TTL_SECONDS, FEDERATION_SCOPES, GATEWAY_SCOPE, type Preset, type RuleMode } from '@/lib/federation/schemas'

export type RuleOptions = {
  identities: { id: string; name: string; kind: string }[]
  routes: { id: string; name: string; pathPrefix: string }[]
}

const MODE_LABELS: Record<RuleMode, string> = { github: 'GitHub repository', kubernetes: 'Kubernetes service account', cedar: 'Cedar condition' }

/** Add a trust rule: who (claims, through a builder or Cedar) becomes which identity, with what scopes and audiences. */
export function AddTrustRule({ orgSlug, providerId, preset, options }: { orgSlug: string; providerId: string; preset: Preset; options: RuleOptions }) {
  const initialMode: RuleMode = preset === 'github' ? 'github' : preset === 'kubernetes' ? 'kubernetes' : 'cedar'
  const [mode, setMode] = useState<RuleMode>(initialMode)
  const [v, setV] = useState({
    name: '',
    identityId: '',
    repositoryId: '',
    repositoryOwnerId: '',
    ref: 'refs/heads/main',
    environment: '',
    namespace: '',
    serviceAccount: '',
    condition: '',
    maxTtlSeconds: String(DEFAULT_TTL_SECONDS),
  })
  const [scopes, setScopes] = useState<string[]>(['identities:read'])
  const [audiences, setAudiences] = useState<string[]>([API_AUDIENCE])
  const set = (k: keyof typeof v) => (e: { target: { value: string } }) => setV((cur) => ({ ...cur, [k]: e.target.value }))
  const add = useDialogAction(createRuleAction)
  const fe = add.fieldErrors
  const submit = () =>
    void add.run({
      orgSlug,
      providerId,
      mode,
      ...v,
      maxTtlSeconds: v.maxTtlSeconds as never,
      scopes: scopes as never,
      audiences,
      status: 'active',
    })
  const modes: RuleMode[] = preset === 'github' ? ['github', 'cedar'] : preset === 'kubernetes' ? ['kubernetes', 'cedar'] : ['cedar']
  return (
    <ActionDialog
      action={add}
      trigger={{ label: 'Add rule', size: 'sm', testId: 'add-trust-rule' }}
      size="lg"
      title="Add a trust rule"
      testId="trust-rule-dialog"
      onSubmit={submit}
      confirm={{ label: 'Add rule', pending: 'Adding…', testId: 'trust-rule-confirm' }}
      fields
    >
      <div className="grid gap-4 sm:grid-cols-2">
        <Field label="Name" error={fe.name}>
          <Input value={v.name} onChange={set('name')} placeholder="payments deploy from main" maxLength={80} name="name" data-autofocus />
        </Field>
        <Field label="Identity the workload becomes" error={fe.identityId}>
          <Select
            value={v.identityId}
            onChange={set('identityId')}
            any="Choose an identity…"
            options={options.identities.map((i) => ({ value: i.id, label: `${i.name} (${i.kind.replace('_', ' ')})` }))}
            name="identityId"
          />
        </Field>
      </div>
      {modes.length > 1 ? (
        <Field label="Match tokens by">
          <Select
            value={mode}
            onChange={(e) => setMode(e.target.value as RuleMode)}
            options={modes.map((m) => ({ value: m, label: MODE_LABELS[m] }))}
            className="max-w-xs"
            name="mode"
          />
        </Field>
      ) : null}
      {mode === 'github' ? (
        <div className="grid gap-4 sm:grid-cols-2">
          <Field
            label="Repository id"
            hint="The number GitHub gives the repository (GET /repos/{owner}/{repo} → id): a name can be deleted and re-registered by someone else, the id cannot."
            error={fe.repositoryId}
          >
            <Input value={v.repositoryId} onChange={set('repositoryId')} inputMode="numeric" className="font-mono" name="repositoryId" />
          </Field>
          <Field label="Owner id (optional)" hint="The organization’s or user’s number." error={fe.repositoryOwnerId}>
            <Input value={v.repositoryOwnerId} onChange={set('repositoryOwnerId')} inputMode="numeric" className="font-mono" name="repositoryOwnerId" />
          </Field>
          <Field label="Ref (optional)" hint="e.g. refs/heads/main, or empty for any branch or tag." error={fe.ref}>
            <Input value={v.ref} onChange={set('ref')} className="font-mono" name="ref" />
          </Field>
          <Field label="Environment (optional)" hint="A GitHub deployment environment, e.g. production." error={fe.environment}>
            <Input value={v.environment} onChange={set('environment')} className="font-mono" name="environment" />
          </Field>
        </div>
      ) : mode === 'kubernetes' ? (
        <div className="grid gap-4 sm:grid-cols-2">
          <Field label="Namespace" error={fe.namespace}>
            <Input value={v.namespace} onChange={set('namespace')} className="font-mono" name="namespace" />
          </Field>
          <Field label="Service account" error={fe.serviceAccount}>
            <Input value={v.serviceAccount} onChange={set('serviceAccount')} className="font-mono" name="serviceAccount" />
          </Field>
        </div>
      ) : (
        <Field
          label="Condition"
          hint={
            <>
              A Cedar expression over the token’s claims, e.g.{' '}
              <code className="font-mono">context.claims.sub == &quot;repo:acme/payments:ref:refs/heads/main&quot;</code>.
            </>
          }
          error={fe.condition}
        >
          <Textarea value={v.condition} onChange={set('condition')} rows={3} className="font-mono text-xs" name="condition" spellCheck={false} />
        </Field>
      )}
      <CheckboxGroup
        legend="Scopes the workload may ask for"
        options={FEDERATION_SCOPES.map((s) => ({ value: s, label: s }))}
        value={scopes}
        onChange={setScopes}
        error={fe.scopes}
        layout="grid grid-cols-2 gap-x-4 gap-y-1 sm:grid-cols-4"
        labelClassName="font-mono text-xs"
      />
      <CheckboxGroup
        legend="Audiences of the issued token"
        hint={<>The Custodian API, or one gateway route (needs the {GATEWAY_SCOPE} scope).</>}
        options={[
          { value: API_AUDIENCE, label: 'Custodian API' },
          ...options.routes.map((r) => ({ value: `gateway:${r.id}`, label: `Gateway ${r.pathPrefix} (${r.name})` })),
        ]}
        value={audiences}
        onChange={setAudiences}
        error={fe.audiences}
      />
      <Field label="Longest token life (seconds)" hint="60 to 3600. Workloads may ask for less, never more." error={fe.maxTtlSeconds} className="max-w-xs">
        <Input type="number" value={v.maxTtlSeconds} onChange={set('maxTtlSeconds')} min={60} max={3600} name="maxTtlSeconds" />
      </Field>
    </ActionDialog>
  )
}

/** Disable / enable and remove one rule. */
export function TrustRuleActions({ orgSlug, ruleId, name, status }: { orgSlug: string; ruleId: string; name: string; status: string }) {
  const remove = useDialogAction(deleteRuleAction)
  return (
    <div className="flex items-center justify-end gap-1">
      <StatusToggle
        action={setRuleStatusAction}
        input={(next) => ({ orgSlug, ruleId, status: next })}
        status={status}
        size="sm"
        variant="ghost"
        testId="toggle-trust-rule"
      />
      <ActionDialog
        action={remove}
        trigger={{ label: 'Remove', size: 'sm', variant: 'ghost', testId: 'remove-trust-rule' }}
        title="Remove this rule?"
        onSubmit={() => void remove.run({ orgSlug, ruleId })}
        confirm={{ label: 'Remove rule', pending: 'Removing…', variant: 'danger', testId: 'remove-trust-rule-confirm' }}
      >
        <p className="text-sm text-slate-700">
          <span className="font-medium">{name}</span>: tokens it matched are refused from now on; access tokens already issued live out their few minutes.
        </p>
      </ActionDialog>
    </div>
  )
}

/** Disable / enable and delete a provider. */
export function ProviderActions({ orgSlug, providerId, name, status }: { orgSlug: string; providerId: string; name: string; status: string }) {
  const router = useRouter()
  const remove = useDialogAction(deleteProviderAction, { onSuccess: () => router.push(`/${orgSlug}/federation`), refresh: false })
  return (
    <div className="flex items-center gap-2">
      <StatusToggle action={setProviderStatusAction} input={(next) => ({ orgSlug, providerId, status: next })} status={status} testId="toggle-provider" />
      <ActionDialog
        action={remove}
        trigger={{ label: 'Delete', variant: 'danger', testId: 'delete-provider' }}
        title={`Delete “${name}”?`}
        onSubmit={() => void remove.run({ orgSlug, providerId })}
        confirm={{ label: 'Delete provider', pending: 'Deleting…', variant: 'danger', testId: 'delete-provider-confirm' }}
      >
        <p className="text-sm text-slate-700">Its rules go with it: no workload can exchange this issuer’s tokens any more. The exchange history stays.</p>
      </ActionDialog>
    </div>
  )
}
