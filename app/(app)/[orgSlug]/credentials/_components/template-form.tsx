'use client'
import { useState } from 'react'
import { ActionDialog, useDialogAction } from '@/components/ui/action-dialog'
import { Field, Input, Textarea } from '@/components/ui/field'
import { Select } from '@/components/ui/select'
import { StatusToggle } from '@/components/ui/status-toggle'
import { PrincipalPicker, usePrincipal, type PrincipalOptions } from '@/components/principals/principal-picker'
import { createTemplateAction, setTemplateStatusAction } from '@/lib/leases/actions'

/** A new credential template: a PostgreSQL source, one grant per line (`SELECT ON app.orders`), default and maximum TTL in minutes. */
export function NewTemplate({
  orgSlug,
  sources,
  principals,
  testId = 'new-template',
}: {
  orgSlug: string
  sources: { id: string; name: string }[]
  principals: PrincipalOptions
  testId?: string
}) {
  const principal = usePrincipal()
  const [name, setName] = useState('')
  const [sourceId, setSourceId] = useState(sources[0]?.id ?? '')
  const [grants, setGrants] = useState('')
  const [def, setDef] = useState('15')
  const [max, setMax] = useState('60')
  const create = useDialogAction(createTemplateAction, {
    onSuccess: () => {
      setName('')
      setGrants('')
    },
  })
  const grantErrors = Object.entries(create.fieldErrors)
    .filter(([k]) => k.startsWith('grants'))
    .flatMap(([, v]) => v ?? [])
  return (
    <ActionDialog
      action={create}
      trigger={{ label: 'New template', disabled: !sources.length, title: sources.length ? undefined : 'Connect a PostgreSQL source first', testId }}
      title="New credential template"
      testId={`${testId}-dialog`}
      onSubmit={() =>
        void create.run({
          orgSlug,
          name,
          sourceId,
          grants: grants
            .split('\n')
            .map((g) => g.trim())
            .filter(Boolean),
          defaultTtlSeconds: Number(def) * 60,
          maxTtlSeconds: Number(max) * 60,
          ...principal.fields,
        })
      }
      confirm={{ label: 'Create template', pending: 'Saving…', testId: 'new-template-confirm' }}
      fields
    >
      <Field label="Name" error={create.fieldErrors.name}>
        <Input value={name} onChange={(e) => setName(e.target.value)} maxLength={80} name="name" autoComplete="off" />
      </Field>
      <Field label="PostgreSQL source" hint="Roles are created on this server, with its connection." error={create.fieldErrors.sourceId}>
        <Select value={sourceId} onChange={(e) => setSourceId(e.target.value)} options={sources.map((s) => ({ value: s.id, label: s.name }))} name="sourceId" />
      </Field>
      <Field
        label="Grants"
        hint="One per line: SELECT ON app.orders · INSERT ON TABLE app.events · SELECT ON ALL TABLES IN SCHEMA reports · USAGE ON SEQUENCE app.ids_seq. Names are quoted; a table grant adds USAGE on its schema."
        error={grantErrors.length ? grantErrors : undefined}
      >
        <Textarea value={grants} onChange={(e) => setGrants(e.target.value)} rows={4} className="font-mono" name="grants" data-testid="template-grants" />
      </Field>
      <PrincipalPicker principal={principal} options={principals} errors={create.fieldErrors} label="Who may be given its credentials" idPrefix={testId} />
      <div className="grid grid-cols-2 gap-3">
        <Field label="Default TTL (minutes)" error={create.fieldErrors.defaultTtlSeconds}>
          <Input value={def} onChange={(e) => setDef(e.target.value.replace(/\D/g, ''))} inputMode="numeric" name="defaultTtl" />
        </Field>
        <Field label="Maximum TTL (minutes)" hint="From issue, renewals included." error={create.fieldErrors.maxTtlSeconds}>
          <Input value={max} onChange={(e) => setMax(e.target.value.replace(/\D/g, ''))} inputMode="numeric" name="maxTtl" />
        </Field>
      </div>
    </ActionDialog>
  )
}

export function TemplateStatusButton({ orgSlug, templateId, status }: { orgSlug: string; templateId: string; status: string }) {
  return (
    <StatusToggle
      action={setTemplateStatusAction}
      input={(next) => ({ orgSlug, templateId, status: next })}
      status={status}
      size="sm"
      testId={`template-status-${templateId}`}
    />
  )
}
