'use client'
import { useRouter } from 'next/navigation'
import { useState, useTransition } from 'react'
import { Button } from '@/components/ui/button'
import { Card } from '@/components/ui/card'
import { createImportSourceAction } from '@/lib/sources/actions'
import { FORMAT_INFO, IMPORT_FORMATS, type ImportFormat } from '@/lib/sources/schemas'

export function NewSourceForm({ orgSlug, onCreated }: { orgSlug: string; onCreated?: (s: { id: string; name: string; format: ImportFormat }) => void }) {
  const [name, setName] = useState('')
  const [format, setFormat] = useState<ImportFormat>('generic_csv')
  const [error, setError] = useState<string | null>(null)
  const [pending, start] = useTransition()
  const router = useRouter()
  return (
    <Card title="New import source" className="mt-6 max-w-2xl">
      <form
        className="flex flex-wrap items-end gap-3 text-sm"
        onSubmit={(e) => {
          e.preventDefault()
          start(async () => {
            const r = await createImportSourceAction({ orgSlug, name, format })
            if (!r.ok) return setError(r.fieldErrors?.name?.[0] ?? r.error)
            setError(null)
            setName('')
            onCreated?.({ id: r.data.id, name: r.data.name, format })
            router.refresh()
          })
        }}
      >
        <label className="flex flex-col gap-1">
          <span className="text-xs text-slate-500">Name</span>
          <input value={name} onChange={(e) => setName(e.target.value)} required maxLength={80} placeholder="e.g. AWS prod account" className="w-56 rounded-md border border-slate-300 px-2 py-1.5" />
        </label>
        <label className="flex flex-col gap-1">
          <span className="text-xs text-slate-500">Format</span>
          <select value={format} onChange={(e) => setFormat(e.target.value as ImportFormat)} className="rounded-md border border-slate-300 bg-white py-1.5 pl-2 pr-7">
            {IMPORT_FORMATS.map((f) => <option key={f} value={f}>{FORMAT_INFO[f].label}</option>)}
          </select>
        </label>
        <Button type="submit" disabled={pending}>{pending ? 'Creating…' : 'Create source'}</Button>
        {error ? <p className="w-full text-sm text-rose-700" role="status">{error}</p> : null}
      </form>
    </Card>
  )
}
