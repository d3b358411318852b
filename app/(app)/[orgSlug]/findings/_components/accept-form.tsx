'use client'
import { Button } from '@/components/ui/button'
import { Field, Input, Textarea } from '@/components/ui/field'
import { submitted, useOrgAction } from '@/components/ui/use-org-action'
import { acceptFindingAction } from '@/lib/findings/actions'

/** Accept a finding as a risk until a date, with a reason (audited). */
export function AcceptForm({ orgSlug, findingId, defaultUntil, maxUntil }: { orgSlug: string; findingId: string; defaultUntil: string; maxUntil: string }) {
  const accept = useOrgAction(acceptFindingAction)
  const { fieldErrors: errors } = accept
  return (
    <details className="group">
      <summary className="cursor-pointer list-none text-xs font-medium text-indigo-700 hover:underline">Accept risk…</summary>
      <form
        className="mt-2 w-72 space-y-2 rounded-md border border-slate-200 bg-slate-50 p-3 text-left"
        onSubmit={submitted((form) => {
          const fd = new FormData(form)
          return accept.run({ orgSlug, findingId, until: String(fd.get('until') ?? ''), reason: String(fd.get('reason') ?? '') })
        })}
      >
        <Field label="Accepted until" error={errors.until}>
          <Input type="date" name="until" size="sm" defaultValue={defaultUntil} max={maxUntil} required />
        </Field>
        <Field label="Reason" error={errors.reason}>
          <Textarea name="reason" size="sm" rows={2} required minLength={10} placeholder="Why this risk is acceptable for now" />
        </Field>
        {accept.error && !Object.keys(errors).length ? <p className="text-xs text-rose-700">{accept.error}</p> : null}
        <Button size="sm" type="submit" disabled={accept.pending}>
          {accept.pending ? 'Saving…' : 'Accept risk'}
        </Button>
      </form>
    </details>
  )
}
