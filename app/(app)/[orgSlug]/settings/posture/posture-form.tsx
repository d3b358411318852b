'use client'
import { useRouter } from 'next/navigation'
import { useState, useTransition } from 'react'
import { Button } from '@/components/ui/button'
import { updatePostureSettingsAction } from '@/lib/findings/actions'

type Field = { name: 'dormantDays' | 'rotationMaxDays' | 'privilegedUnusedDays' | 'humanUseWindowDays'; label: string; help: string; min: number; max: number }
const FIELDS: Field[] = [
  { name: 'dormantDays', label: 'Dormant after (days)', help: 'An active identity or credential unused this long is dormant (NHI1).', min: 7, max: 730 },
  { name: 'rotationMaxDays', label: 'Rotation limit (days)', help: 'Secrets older than this since creation or last rotation are long-lived (NHI7).', min: 1, max: 1825 },
  { name: 'privilegedUnusedDays', label: 'Unused privilege after (days)', help: 'A privileged grant unused this long is overprivilege (NHI5).', min: 7, max: 730 },
  { name: 'humanUseWindowDays', label: 'Human-use window (days)', help: 'Interactive sign-ins within this window raise human use of an NHI (NHI10).', min: 1, max: 365 },
]

export function PostureForm({ orgSlug, values }: { orgSlug: string; values: Record<Field['name'], number> }) {
  const router = useRouter()
  const [pending, start] = useTransition()
  const [errors, setErrors] = useState<Record<string, string[]>>({})
  const [message, setMessage] = useState<{ ok: boolean; text: string } | null>(null)
  return (
    <form
      noValidate
      className="max-w-xl space-y-4"
      onSubmit={(e) => {
        e.preventDefault()
        const fd = new FormData(e.currentTarget)
        const input = Object.fromEntries(FIELDS.map((f) => [f.name, String(fd.get(f.name) ?? '')]))
        start(async () => {
          const r = await updatePostureSettingsAction({ orgSlug, ...input })
          if (r.ok) {
            setErrors({})
            setMessage({ ok: true, text: 'Saved. Findings are being recomputed with the new thresholds.' })
            router.refresh()
          } else {
            setErrors(r.fieldErrors ?? {})
            setMessage({ ok: false, text: r.error })
          }
        })
      }}
    >
      {FIELDS.map((f) => (
        <div key={f.name}>
          <label htmlFor={f.name} className="block text-sm font-medium text-slate-800">{f.label}</label>
          <input
            id={f.name}
            name={f.name}
            type="number"
            min={f.min}
            max={f.max}
            defaultValue={values[f.name]}
            aria-invalid={errors[f.name] ? true : undefined}
            aria-describedby={`${f.name}-help`}
            className={`mt-1 block w-40 rounded-md border px-2 py-1.5 text-sm tabular-nums ${errors[f.name] ? 'border-rose-400' : 'border-slate-300'}`}
          />
          <p id={`${f.name}-help`} className="mt-1 text-xs text-slate-500">{f.help} Between {f.min} and {f.max}.</p>
          {errors[f.name] ? <p className="mt-1 text-xs font-medium text-rose-700" data-testid={`error-${f.name}`}>{errors[f.name].join(' ')}</p> : null}
        </div>
      ))}
      <div className="flex items-center gap-3">
        <Button type="submit" disabled={pending}>{pending ? 'Saving…' : 'Save thresholds'}</Button>
        {message ? <p role="status" className={`text-sm ${message.ok ? 'text-emerald-700' : 'text-rose-700'}`}>{message.text}</p> : null}
      </div>
    </form>
  )
}
