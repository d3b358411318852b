'use client'
import { useState } from 'react'
import { ActionDialog, useDialogAction } from '@/components/ui/action-dialog'
import { CheckboxGroup } from '@/components/ui/checkbox-group'
import { Field, Input } from '@/components/ui/field'
import { createRuleAction, deleteRuleAction } from '@/lib/gateway/actions'
import { HTTP_METHODS } from '@/lib/gateway/schemas'
import { PrincipalPicker, usePrincipal, type PrincipalOptions } from '@/components/principals/principal-picker'

export type { PrincipalOptions }

const METHODS = [...HTTP_METHODS, '*'] as const

export function AddRule({ orgSlug, routeId, options }: { orgSlug: string; routeId: string; options: PrincipalOptions }) {
  const principal = usePrincipal()
  const [methods, setMethods] = useState<string[]>(['GET'])
  const [paths, setPaths] = useState('/*')
  const add = useDialogAction(createRuleAction)
  const submit = () => {
    void add.run({
      orgSlug,
      routeId,
      ...principal.fields,
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
      <PrincipalPicker principal={principal} options={options} errors={fe} idPrefix="gateway" />
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
