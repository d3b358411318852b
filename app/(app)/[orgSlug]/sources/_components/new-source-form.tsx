'use client'
import { useState } from 'react'
import { Button } from '@/components/ui/button'
import { Card } from '@/components/ui/card'
import { Field, Input } from '@/components/ui/field'
import { Select } from '@/components/ui/select'
import { submitted, useOrgAction } from '@/components/ui/use-org-action'
import { createImportSourceAction } from '@/lib/sources/actions'
import { FORMAT_INFO, IMPORT_FORMATS, type ImportFormat } from '@/lib/sources/schemas'
import { StatusText } from '@/components/ui/status-text'

const FORMATS = IMPORT_FORMATS.map((f) => ({ value: f, label: FORMAT_INFO[f].label }))

export function NewSourceForm({ orgSlug, onCreated }: { orgSlug: string; onCreated?: (s: { id: string; name: string; format: ImportFormat }) => void }) {
  const [name, setName] = useState('')
  const [format, setFormat] = useState<ImportFormat>('generic_csv')
  const create = useOrgAction(createImportSourceAction, {
    onSuccess: (s, input) => {
      setName('')
      onCreated?.({ id: s.id, name: s.name, format: input.format })
    },
  })
  const error = create.fieldErrors.name?.[0] ?? create.error
  return (
    <Card title="New import source" className="mt-6 max-w-2xl">
      <form className="flex flex-wrap items-end gap-3 text-sm" onSubmit={submitted(() => create.run({ orgSlug, name, format }))}>
        <Field label="Name" className="w-56">
          <Input value={name} onChange={(e) => setName(e.target.value)} required maxLength={80} placeholder="e.g. AWS prod account" />
        </Field>
        <Field label="Format">
          <Select value={format} onChange={(e) => setFormat(e.target.value as ImportFormat)} options={FORMATS} />
        </Field>
        <Button type="submit" disabled={create.pending}>
          {create.pending ? 'Creating…' : 'Create source'}
        </Button>
        <StatusText className="w-full text-sm text-rose-700" as="p">
          {error}
        </StatusText>
      </form>
    </Card>
  )
}
