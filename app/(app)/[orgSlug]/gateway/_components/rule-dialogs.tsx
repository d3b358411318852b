'use client'
import { useState } from 'react'
import { Button } from '@/components/ui/button'
import { Dialog } from '@/components/ui/dialog'
import { Field, FormError, Input } from '@/components/ui/field'
import { Select } from '@/components/ui/select'
import { useOrgAction } from '@/components/ui/use-org-action'
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
  const [open, setOpen] = useState(false)
  const [principalType, setPrincipalType] = useState<PrincipalType>('identity')
  const [identityId, setIdentityId] = useState('')
  const [teamId, setTeamId] = useState('')
  const [tag, setTag] = useState('')
  const [methods, setMethods] = useState<string[]>(['GET'])
  const [paths, setPaths] = useState('/*')
  const add = useOrgAction(createRuleAction, { onSuccess: () => close() })
  const close = () => {
    setOpen(false)
    add.reset()
  }
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
  const toggle = (m: string, on: boolean) => setMethods((cur) => (on ? [...cur, m] : cur.filter((x) => x !== m)))
  const fe = add.fieldErrors
  return (
    <>
      <Button size="sm" onClick={() => setOpen(true)} data-testid="add-rule">
        Add rule
      </Button>
      <Dialog
        open={open}
        onClose={close}
        busy={add.pending}
        size="lg"
        title="Add a rule"
        testId="add-rule-dialog"
        onSubmit={submit}
        confirm={{ label: add.pending ? 'Adding…' : 'Add rule', disabled: add.pending, testId: 'add-rule-confirm' }}
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
        <fieldset aria-describedby="methods-hint">
          <legend className="text-sm font-medium text-slate-700">Methods</legend>
          <p id="methods-hint" className="text-xs text-slate-500">
            Writes (POST, PUT, PATCH, DELETE) to a production route make the rule privileged.
          </p>
          <div className="mt-1.5 flex flex-wrap gap-3">
            {METHODS.map((m) => (
              <label key={m} className="flex items-center gap-1.5 font-mono text-sm text-slate-800">
                <input
                  type="checkbox"
                  checked={methods.includes(m)}
                  onChange={(e) => toggle(m, e.target.checked)}
                  className="size-4 rounded border-slate-400 text-indigo-600"
                  aria-label={m === '*' ? 'Every method' : m}
                />
                {m === '*' ? '* (every method)' : m}
              </label>
            ))}
          </div>
          {fe.methods ? <p className="mt-1 text-xs font-medium text-rose-700">{fe.methods.join(' ')}</p> : null}
        </fieldset>
        <Field label="Paths" hint="Below the route prefix, one per line or comma-separated; * matches anything (/orders/*). /* is every path." error={fe.paths}>
          <Input value={paths} onChange={(e) => setPaths(e.target.value)} className="font-mono" name="paths" />
        </Field>
        <FormError>{Object.keys(fe).length ? null : add.error}</FormError>
      </Dialog>
    </>
  )
}

export function RemoveRule({ orgSlug, routeId, ruleId, label }: { orgSlug: string; routeId: string; ruleId: string; label: string }) {
  const [open, setOpen] = useState(false)
  const remove = useOrgAction(deleteRuleAction, { onSuccess: () => setOpen(false) })
  return (
    <>
      <Button size="sm" variant="ghost" onClick={() => setOpen(true)} data-testid="remove-rule">
        Remove
      </Button>
      <Dialog
        open={open}
        onClose={() => setOpen(false)}
        busy={remove.pending}
        title="Remove this rule?"
        onSubmit={() => void remove.run({ orgSlug, routeId, ruleId })}
        confirm={{ label: remove.pending ? 'Removing…' : 'Remove rule', variant: 'danger', disabled: remove.pending, testId: 'remove-rule-confirm' }}
      >
        <p className="text-sm text-slate-700">
          <span className="font-mono">{label}</span>: the identities it reaches lose this access at the gateway at once, and its grants leave the inventory.
        </p>
        <FormError>{remove.error}</FormError>
      </Dialog>
    </>
  )
}
