'use client'
import { useRouter } from 'next/navigation'
import { useState, useTransition } from 'react'
import { updateSourceEnvironmentAction } from '@/lib/sources/actions'
import { SOURCE_ENVIRONMENTS } from '@/lib/sources/schemas'

const fmt = (x: number) => new Intl.NumberFormat('en-US').format(x)

/** The environment a source gives the identities it does not label; saving also labels its identities still "unknown". */
export function EnvironmentForm({ orgSlug, sourceId, sourceName, environment, unknown }: { orgSlug: string; sourceId: string; sourceName: string; environment: string | null; unknown: number }) {
  const [value, setValue] = useState(environment ?? 'unknown')
  const [error, setError] = useState<string | null>(null)
  const [done, setDone] = useState<string | null>(null)
  const [pending, start] = useTransition()
  const router = useRouter()
  const changed = value !== (environment ?? 'unknown')
  return (
    <form
      className="flex max-w-[15rem] flex-col gap-1"
      data-testid="environment-form"
      onSubmit={(e) => {
        e.preventDefault()
        start(async () => {
          const r = await updateSourceEnvironmentAction({ orgSlug, sourceId, environment: value as (typeof SOURCE_ENVIRONMENTS)[number] | 'unknown' })
          if (!r.ok) return setError(r.fieldErrors?.environment?.[0] ?? r.error)
          setError(null)
          setDone(value === 'unknown' ? 'Setting removed.' : r.data.updated ? `${fmt(r.data.updated)} identit${r.data.updated === 1 ? 'y' : 'ies'} set to ${value}.` : 'Saved.')
          router.refresh()
        })
      }}
    >
      <span className="flex items-center gap-1">
        <select
          value={value}
          onChange={(e) => {
            setValue(e.target.value)
            setDone(null)
          }}
          aria-label={`Environment of ${sourceName}`}
          className="rounded border border-slate-300 bg-white py-0.5 pl-1.5 pr-6 text-xs"
        >
          <option value="unknown">not set (unknown)</option>
          {SOURCE_ENVIRONMENTS.map((env) => <option key={env} value={env}>{env}</option>)}
        </select>
        {changed ? <button disabled={pending} className="text-xs font-medium text-indigo-700 hover:underline">{pending ? '…' : 'Save'}</button> : null}
      </span>
      {changed && value !== 'unknown' ? (
        <span className="text-xs text-slate-600" data-testid="environment-effect">
          Sets the {fmt(unknown)} identit{unknown === 1 ? 'y' : 'ies'} of this source whose environment is unknown to {value} now, and every identity a later import leaves unlabeled.
        </span>
      ) : changed ? (
        <span className="text-xs text-slate-600">Identities keep their environment; later imports leave unlabeled ones unknown.</span>
      ) : !environment && unknown ? (
        <span className="text-xs text-slate-500">{fmt(unknown)} with unknown environment</span>
      ) : null}
      {done ? <span className="text-xs text-emerald-700" role="status">{done}</span> : null}
      {error ? <span className="text-xs text-rose-700">{error}</span> : null}
    </form>
  )
}
