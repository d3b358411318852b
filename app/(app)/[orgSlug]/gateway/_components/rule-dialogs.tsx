'use client'
import { useState } from 'react'
import { ActionDialog, useDialogAction } from '@/components/ui/action-dialog'
import { CheckboxGroup } from '@/components/ui/checkbox-group'
import { Field, Input } from '@/components/ui/field'
import { Select } from '@/components/ui/select'
import { createRuleAction, deleteRuleAction } from '@/lib/gateway/actions'
import { HTTP_METHODS, PRINCIPAL_TYPES, type PrincipalType } from '@/lib/gateway/schemas'

export type PrincipalOptions = {
  identities: { id: string; name: string; kind: string }[]
  teams: { id: string; name: string }[]
  tags: { key: string; value: string }[]
}

const PRINCIPAL_LABELS: Record<PrincipalType, string> = { identity: 'One identity', team: "A team's identities", tag: 'Identities with a tag' }
const METHODS = [...HTTP_METHODS, '*'] as const

export function AddRule({ orgSlug, routeId, options }: { orgSlug: string; routeId: string; options: PrincipalOptions }) {
  const [principalType, setPrincipalType] = useState<PrincipalType>('identity')
  const [identityId, setIdentityId] = useState('')
  const [teamId, setTeamId] = useState('')
  const [tag, setTag] = useState('')
  const [methods, setMethods] = useState<string[]>(['GET'])
  const [paths, setPaths] = useState('/*')
  const add = useDialogAction(createRuleAction)
  const submit = () => {
    const [tagKey, ...rest] = tag.split('=')
    void add.run({
      orgSlug,
      routeId,
      principalType,
      identityId: principalType === 'identity' ? identityId : null,
      teamId: principalType === 'team' ? teamId : null,
      tagKey: principalType === 'tag' ? tagKey : null,
      tagValue: principalType === 'tag' ? rest.join('=') : null,
      methods: methods as never,
      paths: paths as never,
    })
  }
  const fe = add.fieldErrors
  return (
    <ActionDialog
      action={add}
      trigger={{ label: 'Add rule', size: 'sm', testId: 'add-rule' }}
      size="lg"
      title="Add a rule"
      testId="add-rule-dialog"
      onSubmit={submit}
      confirm={{ label: 'Add rule', pending: 'Adding…', testId: 'add-rule-confirm' }}
      fields
    >
      <Field label="Who" error={fe.principalType}>
        <Select
          value={principalType}
          onChange={(e) => setPrincipalType(e.target.value as PrincipalType)}
          options={PRINCIPAL_TYPES.map((p) => ({ value: p, label: PRINCIPAL_LABELS[p] }))}
          className="max-w-xs"
          name="principalType"
        />
      </Field>
      {principalType === 'identity' ? (
        <Field label="Identity" error={fe.identityId} hint={options.identities.length ? undefined : 'No active identities in this organization yet.'}>
          <Select
            value={identityId}
            onChange={(e) => setIdentityId(e.target.value)}
            any="Choose an identity…"
            options={options.identities.map((i) => ({ value: i.id, label: `${i.name} (${i.kind.replace('_', ' ')})` }))}
            name="identityId"
          />
        </Field>
      ) : principalType === 'team' ? (
        <Field label="Team" error={fe.teamId} hint="Every identity the team owns, now and later.">
          <Select
            value={teamId}
            onChange={(e) => setTeamId(e.target.value)}
            any="Choose a team…"
            options={options.teams.map((t) => ({ value: t.id, label: t.name }))}
            name="teamId"
          />
        </Field>
      ) : (
        <Field label="Tag" error={fe.tagKey ?? fe.tagValue} hint="key=value, like app=orders. Every identity with that tag.">
          <Input value={tag} onChange={(e) => setTag(e.target.value)} list="gateway-tags" placeholder="app=orders" className="font-mono" name="tag" />
          <datalist id="gateway-tags">
            {options.tags.map((t) => (
              <option key={`${t.key}=${t.value}`} value={`${t.key}=${t.value}`} />
            ))}
          </datalist>
        </Field>
      )}
      <CheckboxGroup
        legend="Methods"
        hint="Writes (POST, PUT, PATCH, DELETE) to a production route make the rule privileged."
        options={METHODS.map((m) => (m === '*' ? { value: m, label: '* (every method)', ariaLabel: 'Every method' } : { value: m, label: m }))}
        value={methods}
        onChange={setMethods}
        error={fe.methods}
        layout="flex flex-wrap gap-3"
        labelClassName="font-mono text-sm"
      />
      <Field label="Paths" hint="Below the route prefix, one per line or comma-separated; * matches anything (/orders/*). /* is every path." error={fe.paths}>
        <Input value={paths} onChange={(e) => setPaths(e.target.value)} className="font-mono" name="paths" />
      </Field>
    </ActionDialog>
  )
}

export function RemoveRule({ orgSlug, routeId, ruleId, label }: { orgSlug: string; routeId: string; ruleId: string; label: string }) {
  const remove = useDialogAction(deleteRuleAction)
  return (
    <ActionDialog
      action={remove}
      trigger={{ label: 'Remove', size: 'sm', variant: 'ghost', testId: 'remove-rule' }}
      title="Remove this rule?"
      onSubmit={() => void remove.run({ orgSlug, routeId, ruleId })}
      confirm={{ label: 'Remove rule', pending: 'Removing…', variant: 'danger', testId: 'remove-rule-confirm' }}
    >
      <p className="text-sm text-slate-700">
        <span className="font-mono">{label}</span>: the identities it reaches lose this access at the gateway at once, and its grants leave the inventory.
      </p>
    </ActionDialog>
  )
}
