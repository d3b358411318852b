'use client'
import { useEffect, useId, useRef, useState, useTransition } from 'react'
import { Button } from '@/components/ui/button'

export type ConfirmSpec = {
  title: string
  /** what will happen, in one sentence */
  summary: React.ReactNode
  confirmLabel: string
  danger?: boolean
  /** loads a dry-run preview when the dialog opens */
  preview?: () => Promise<React.ReactNode>
  submit: (justification: string) => Promise<{ ok: true } | { ok: false; error: string; fieldErrors?: Record<string, string[]> }>
}

/** A modal (native <dialog>: focus kept inside, Escape closes) asking for a required justification. */
export function ConfirmDialog({ spec, onClose }: { spec: ConfirmSpec | null; onClose: (done: boolean) => void }) {
  // Unmounted on close, so nothing typed for one target carries over to the next.
  return spec ? <DialogBody spec={spec} onClose={onClose} /> : null
}

function DialogBody({ spec, onClose }: { spec: ConfirmSpec; onClose: (done: boolean) => void }) {
  const ref = useRef<HTMLDialogElement>(null)
  const [justification, setJustification] = useState('')
  const [error, setError] = useState<string | null>(null)
  const [preview, setPreview] = useState<React.ReactNode>(spec.preview ? <span className="text-slate-500">Checking what this would change…</span> : null)
  const [pending, start] = useTransition()
  const fieldId = useId()

  useEffect(() => {
    const d = ref.current
    if (d && !d.open) d.showModal()
    let live = true
    spec.preview?.().then((p) => live && setPreview(p)).catch(() => live && setPreview(<span className="text-rose-700">The preview could not be loaded.</span>))
    return () => {
      live = false
    }
  }, [spec])

  const tooShort = justification.trim().length < 5
  return (
    <dialog
      ref={ref}
      onCancel={(e) => {
        e.preventDefault()
        if (!pending) onClose(false)
      }}
      className="m-auto w-full max-w-lg rounded-lg p-0 shadow-xl backdrop:bg-slate-900/40"
      aria-labelledby={`${fieldId}-title`}
    >
      <form
        className="space-y-4 p-5"
        onSubmit={(e) => {
          e.preventDefault()
          if (tooShort) {
            setError('Say why, in at least 5 characters: the justification goes into the audit log.')
            return
          }
          start(async () => {
            const r = await spec.submit(justification.trim())
            if (r.ok) onClose(true)
            else setError(r.fieldErrors?.justification?.[0] ?? r.error)
          })
        }}
      >
        <h2 id={`${fieldId}-title`} className="text-base font-semibold text-slate-900">{spec.title}</h2>
        <div className="text-sm text-slate-700">{spec.summary}</div>
        {preview ? <div className="rounded-md bg-slate-50 p-3 text-sm text-slate-700" data-testid="remediation-preview">{preview}</div> : null}
        <div>
          <label htmlFor={fieldId} className="block text-sm font-medium text-slate-700">Justification (required)</label>
          <textarea
            id={fieldId}
            value={justification}
            onChange={(e) => setJustification(e.target.value)}
            rows={3}
            maxLength={1000}
            aria-required
            autoFocus
            className="mt-1 block w-full rounded-md border border-slate-300 px-2 py-1.5 text-sm focus:border-indigo-500 focus:outline-none focus:ring-1 focus:ring-indigo-500"
            placeholder="Why is this needed? It is recorded in the audit log."
          />
        </div>
        {error ? <p className="text-sm text-rose-700" role="status">{error}</p> : null}
        <div className="flex justify-end gap-2">
          <Button type="button" variant="secondary" onClick={() => onClose(false)} disabled={pending}>Cancel</Button>
          <Button type="submit" variant={spec.danger ? 'danger' : 'primary'} disabled={pending}>{pending ? 'Submitting…' : spec.confirmLabel}</Button>
        </div>
      </form>
    </dialog>
  )
}
