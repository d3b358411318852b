'use client'
import { useRouter } from 'next/navigation'
import { useState, useTransition } from 'react'
import { Button } from '@/components/ui/button'
import { acceptFindingAction } from '@/lib/findings/actions'

/** Accept a finding as a risk until a date, with a reason (audited). */
export function AcceptForm({ orgSlug, findingId, defaultUntil, maxUntil }: { orgSlug: string; findingId: string; defaultUntil: string; maxUntil: string }) {
  const router = useRouter()
  const [pending, start] = useTransition()
  const [errors, setErrors] = useState<Record<string, string[]>>({})
  const [error, setError] = useState<string | null>(null)
  return (
    <details className="group">
      <summary className="cursor-pointer list-none text-xs font-medium text-indigo-700 hover:underline">Accept risk…</summary>
      <form
        className="mt-2 w-72 space-y-2 rounded-md border border-slate-200 bg-slate-50 p-3 text-left"
        onSubmit={(e) => {
          e.preventDefault()
          const fd = new FormData(e.currentTarget)
          start(async () => {
            const r = await acceptFindingAction({ orgSlug, findingId, until: String(fd.get('until') ?? ''), reason: String(fd.get('reason') ?? '') })
            if (r.ok) {
              setErrors({})
              setError(null)
              router.refresh()
            } else {
              setErrors(r.fieldErrors ?? {})
              setError(r.error)
            }
          })
        }}
      >
        <label className="block text-xs font-medium text-slate-700">
          Accepted until
          <input type="date" name="until" defaultValue={defaultUntil} max={maxUntil} required className="mt-1 block w-full rounded border border-slate-300 px-2 py-1 text-sm" />
        </label>
        {errors.until ? <p className="text-xs text-rose-700">{errors.until.join(' ')}</p> : null}
        <label className="block text-xs font-medium text-slate-700">
          Reason
          <textarea name="reason" rows={2} required minLength={10} className="mt-1 block w-full rounded border border-slate-300 px-2 py-1 text-sm" placeholder="Why this risk is acceptable for now" />
        </label>
        {errors.reason ? <p className="text-xs text-rose-700">{errors.reason.join(' ')}</p> : null}
        {error && !Object.keys(errors).length ? <p className="text-xs text-rose-700">{error}</p> : null}
        <Button size="sm" type="submit" disabled={pending}>{pending ? 'Saving…' : 'Accept risk'}</Button>
      </form>
    </details>
  )
}
