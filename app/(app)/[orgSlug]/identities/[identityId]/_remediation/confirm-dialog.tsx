'use client'
import { useEffect, useState } from 'react'
import { Dialog } from '@/components/ui/dialog'
import { Field, FormError, Textarea } from '@/components/ui/field'
import { useOrgAction } from '@/components/ui/use-org-action'
import type { ActionResult } from '@/lib/action'

export type ConfirmSpec = {
  title: string
  /** what will happen, in one sentence */
  summary: React.ReactNode
  confirmLabel: string
  danger?: boolean
  /** loads a dry-run preview when the dialog opens */
  preview?: () => Promise<React.ReactNode>
  submit: (justification: string) => Promise<ActionResult<unknown>>
}

/** A confirmation asking for a required justification; the page's data is refreshed once it is done. */
export function ConfirmDialog({ spec, onClose }: { spec: ConfirmSpec | null; onClose: (done: boolean) => void }) {
  // Unmounted on close, so nothing typed for one target carries over to the next.
  return spec ? <DialogBody spec={spec} onClose={onClose} /> : null
}

function DialogBody({ spec, onClose }: { spec: ConfirmSpec; onClose: (done: boolean) => void }) {
  const [justification, setJustification] = useState('')
  const [preview, setPreview] = useState<React.ReactNode>(spec.preview ? <span className="text-slate-500">Checking what this would change…</span> : null)
  const submit = useOrgAction((text: string) => spec.submit(text), { onSuccess: () => onClose(true) })

  useEffect(() => {
    let live = true
    spec
      .preview?.()
      .then((p) => live && setPreview(p))
      .catch(() => live && setPreview(<span className="text-rose-700">The preview could not be loaded.</span>))
    return () => {
      live = false
    }
  }, [spec])

  return (
    <Dialog
      open
      onClose={() => onClose(false)}
      busy={submit.pending}
      title={spec.title}
      onSubmit={() => {
        if (justification.trim().length < 5) return submit.setError('Say why, in at least 5 characters: the justification goes into the audit log.')
        void submit.run(justification.trim())
      }}
      confirm={{ label: submit.pending ? 'Submitting…' : spec.confirmLabel, variant: spec.danger ? 'danger' : 'primary', disabled: submit.pending }}
    >
      <div>{spec.summary}</div>
      {preview ? (
        <div className="rounded-md bg-slate-50 p-3 text-sm text-slate-700" data-testid="remediation-preview">
          {preview}
        </div>
      ) : null}
      <Field label="Justification (required)">
        <Textarea
          data-autofocus
          value={justification}
          onChange={(e) => setJustification(e.target.value)}
          rows={3}
          maxLength={1000}
          aria-required
          placeholder="Why is this needed? It is recorded in the audit log."
        />
      </Field>
      <FormError>{submit.fieldErrors.justification?.[0] ?? submit.error}</FormError>
    </Dialog>
  )
}
