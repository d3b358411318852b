'use client'
import { useRouter } from 'next/navigation'
import { useState, useTransition } from 'react'
import { updateScheduleAction } from '@/lib/sources/actions'
import { SCHEDULE_HINT } from '@/lib/sources/schemas'

export function ScheduleForm({ orgSlug, sourceId, schedule }: { orgSlug: string; sourceId: string; schedule: string | null }) {
  const [value, setValue] = useState(schedule ?? '')
  const [error, setError] = useState<string | null>(null)
  const [pending, start] = useTransition()
  const router = useRouter()
  return (
    <form
      className="flex flex-col gap-1"
      onSubmit={(e) => {
        e.preventDefault()
        start(async () => {
          const r = await updateScheduleAction({ orgSlug, sourceId, schedule: value })
          setError(r.ok ? null : (r.fieldErrors?.schedule?.[0] ?? r.error))
          if (r.ok) router.refresh()
        })
      }}
    >
      <span className="flex items-center gap-1">
        <input value={value} onChange={(e) => setValue(e.target.value)} placeholder="manual only" title={SCHEDULE_HINT} aria-label="Sync schedule" className="w-24 rounded border border-slate-300 px-1.5 py-0.5 text-xs" />
        {value !== (schedule ?? '') ? <button disabled={pending} className="text-xs font-medium text-indigo-700 hover:underline">{pending ? '…' : 'Save'}</button> : null}
      </span>
      {error ? <span className="text-xs text-rose-700">{error}</span> : null}
    </form>
  )
}
