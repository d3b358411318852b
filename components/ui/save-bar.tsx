import type { ActionResult } from '@/lib/action'
import { Button } from '@/components/ui/button'

/** A settings form's submit button and the outcome of its last save, announced to screen readers. */
export function SaveBar({
  save,
  label = 'Save',
  saved = 'Saved.',
  size,
  disabled = false,
}: {
  save: { pending: boolean; result: ActionResult<unknown> | null }
  label?: string
  /** what a successful save says */
  saved?: string
  size?: 'sm' | 'md'
  disabled?: boolean
}) {
  const message = save.result && (save.result.ok ? { ok: true, text: saved } : { ok: false, text: save.result.error })
  return (
    <div className="flex items-center gap-3">
      <Button type="submit" size={size} disabled={save.pending || disabled}>
        {save.pending ? 'Saving…' : label}
      </Button>
      {message ? (
        <p role="status" className={`text-sm ${message.ok ? 'text-emerald-700' : 'text-rose-700'}`}>
          {message.text}
        </p>
      ) : null}
    </div>
  )
}
