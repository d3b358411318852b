'use client'
import { useRef, useState } from 'react'
import { Button } from '@/components/ui/button'
import { Field, FormError, Input, Textarea } from '@/components/ui/field'
import { submitted, useOrgAction } from '@/components/ui/use-org-action'
import { importPoliciesAction, savePoliciesAction } from '@/lib/policies/actions'

type Example = { id: string; title: string; description: string; text: string }
const MAX_FILE_BYTES = 100_000

/** The policy text: edit and save (validated against the schema), insert ready-made examples, import a .cedar file. */
export function PolicyEditor({
  orgSlug,
  text,
  version,
  manage,
  examples,
}: {
  orgSlug: string
  text: string
  version: number
  manage: boolean
  examples: Example[]
}) {
  const [draft, setDraft] = useState(text)
  const [summary, setSummary] = useState('')
  const [base, setBase] = useState({ text, version })
  const [saved, setSaved] = useState<string | null>(null)
  const file = useRef<HTMLInputElement>(null)
  const onSaved = (d: { version: number; summary: string }) => {
    setSaved(`Saved version ${d.version}: ${d.summary}.`)
    setSummary('')
  }
  const save = useOrgAction(savePoliciesAction, { onSuccess: onSaved })
  const load = useOrgAction(importPoliciesAction, { onSuccess: onSaved })
  // A new version from the server (a save here or elsewhere) becomes the base of the next save.
  if (base.version !== version) {
    setBase({ text, version })
    setDraft(text)
  }
  const dirty = draft !== base.text

  const insert = (snippet: string) => {
    const t = draft.replace(/\s+$/, '')
    setDraft(t ? `${t}\n\n${snippet}\n` : `${snippet}\n`)
    setSaved(null)
    document.getElementById('policy-text-input')?.focus()
  }
  const importFile = async (f: File | undefined) => {
    if (!f) return
    if (f.size > MAX_FILE_BYTES) return load.setError(`The file is larger than ${MAX_FILE_BYTES / 1000} kB.`)
    setSaved(null)
    await load.run({ orgSlug, text: await f.text(), fileName: f.name.slice(0, 200) })
    if (file.current) file.current.value = ''
  }
  const errors = save.fieldErrors.text ?? load.fieldErrors.text ?? []

  if (!manage)
    return text ? (
      <pre
        tabIndex={0}
        aria-label="Current policies"
        className="max-h-[32rem] overflow-auto rounded-md bg-slate-50 p-3 font-mono text-xs leading-relaxed text-slate-800"
        data-testid="policy-text"
      >
        {text}
      </pre>
    ) : (
      <p className="text-sm text-slate-500" data-testid="policy-text">
        No policies: every exchange a trust rule allows is issued. Administrators write policies here.
      </p>
    )

  return (
    <form
      onSubmit={submitted(() => save.run({ orgSlug, text: draft, summary: summary || undefined, baseVersion: base.version }))}
      className="space-y-3"
      noValidate
    >
      <div>
        <p className="mb-1.5 text-xs font-medium text-slate-600">Insert an example</p>
        <div className="flex flex-wrap gap-2" data-testid="policy-examples">
          {examples.map((e) => (
            <button
              key={e.id}
              type="button"
              title={e.description}
              onClick={() => insert(e.text)}
              className="rounded-full border border-slate-200 bg-white px-3 py-1 text-xs text-slate-700 hover:border-indigo-300 hover:text-indigo-700 focus-visible:ring-2 focus-visible:ring-indigo-500 focus-visible:outline-none"
              data-testid={`example-${e.id}`}
            >
              + {e.title}
            </button>
          ))}
        </div>
      </div>
      <Field
        id="policy-text-input"
        label="Policies (Cedar)"
        hint='A forbid refuses whatever permits it; with no forbid applying, the request is allowed. Name policies with @id("…").'
      >
        <Textarea
          value={draft}
          onChange={(e) => {
            setDraft(e.target.value)
            setSaved(null)
          }}
          rows={16}
          spellCheck={false}
          className="font-mono text-xs leading-relaxed"
          placeholder={'@id("owner-required")\nforbid (principal, action == Action::"exchange", resource)\nwhen { !principal.owned };'}
          name="text"
          data-testid="policy-input"
        />
      </Field>
      {errors.length ? (
        <div className="rounded-md border border-rose-200 bg-rose-50 p-3" role="alert" data-testid="policy-errors">
          <p className="text-sm font-medium text-rose-800">{save.error ?? load.error}</p>
          <ul className="mt-1 list-disc space-y-0.5 pl-5 font-mono text-xs text-rose-800">
            {errors.map((m, i) => (
              <li key={i}>{m}</li>
            ))}
          </ul>
        </div>
      ) : (
        <FormError>{save.error ?? load.error}</FormError>
      )}
      {saved ? (
        <p className="text-sm text-emerald-700" role="status" data-testid="policy-saved">
          {saved}
        </p>
      ) : null}
      <div className="flex flex-wrap items-end gap-3">
        <Field label="Summary" hint="Optional; written from the change when left empty." className="min-w-56 flex-1">
          <Input value={summary} onChange={(e) => setSummary(e.target.value)} maxLength={200} name="summary" data-testid="policy-summary" />
        </Field>
        <Button type="submit" disabled={save.pending || !dirty} data-testid="policy-save">
          {save.pending ? 'Saving…' : 'Save'}
        </Button>
        {dirty ? (
          <Button type="button" variant="secondary" onClick={() => setDraft(base.text)}>
            Discard changes
          </Button>
        ) : null}
        <label className="cursor-pointer text-sm font-medium text-indigo-700 hover:underline">
          {load.pending ? 'Importing…' : 'Import .cedar'}
          <input
            ref={file}
            type="file"
            accept=".cedar,text/plain"
            className="sr-only"
            onChange={(e) => void importFile(e.target.files?.[0])}
            data-testid="policy-import"
          />
        </label>
      </div>
    </form>
  )
}
