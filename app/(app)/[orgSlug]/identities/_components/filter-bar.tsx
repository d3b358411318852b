'use client'
import { usePathname, useRouter, useSearchParams } from 'next/navigation'
import { useState, useTransition } from 'react'

export type FacetOption = { value: string; label: string; count?: number }
export type FacetDef = { param: string; label: string; options: FacetOption[] }

function fmt(n: number | undefined) {
  return n === undefined ? '' : ` (${new Intl.NumberFormat('en-US').format(n)})`
}

/** Filters live in the URL; every change resets to page 1 so the view stays shareable and consistent. */
export function FilterBar({ facets, query }: { facets: FacetDef[]; query: string }) {
  const router = useRouter()
  const pathname = usePathname()
  const params = useSearchParams()
  const [pending, startTransition] = useTransition()
  const [q, setQ] = useState(query)
  const [shownQuery, setShownQuery] = useState(query)
  if (query !== shownQuery) {
    setShownQuery(query)
    setQ(query)
  }

  function apply(changes: Record<string, string | null>) {
    const next = new URLSearchParams(params.toString())
    for (const [k, v] of Object.entries(changes)) {
      if (v === null || v === '') next.delete(k)
      else next.set(k, v)
    }
    next.delete('page')
    startTransition(() => router.push(`${pathname}?${next.toString()}`))
  }

  const active = facets.filter((f) => params.get(f.param))
  return (
    <div className="mb-4 space-y-3" aria-busy={pending}>
      <div className="flex flex-wrap items-center gap-2">
        <form
          role="search"
          onSubmit={(e) => {
            e.preventDefault()
            apply({ q: q.trim() || null })
          }}
          className="relative"
        >
          <label htmlFor="identity-search" className="sr-only">Search identities</label>
          <input
            id="identity-search"
            type="search"
            value={q}
            onChange={(e) => setQ(e.target.value)}
            placeholder="Search name or external id…"
            maxLength={100}
            className="w-72 rounded-md border border-slate-300 bg-white px-3 py-1.5 text-sm shadow-sm placeholder:text-slate-500 focus:border-indigo-500 focus:outline-none focus:ring-1 focus:ring-indigo-500"
          />
        </form>
        {facets.map((f) => (
          <label key={f.param} className="sr-only-focusable">
            <span className="sr-only">{f.label}</span>
            <select
              aria-label={f.label}
              value={params.get(f.param) ?? ''}
              onChange={(e) => apply({ [f.param]: e.target.value || null })}
              className={`max-w-[12rem] rounded-md border bg-white py-1.5 pl-2 pr-7 text-sm shadow-sm focus:border-indigo-500 focus:outline-none focus:ring-1 focus:ring-indigo-500 ${
                params.get(f.param) ? 'border-indigo-400 text-indigo-800' : 'border-slate-300 text-slate-700'
              }`}
            >
              <option value="">{f.label}: any</option>
              {f.options.map((o) => (
                <option key={o.value} value={o.value}>
                  {o.label}
                  {fmt(o.count)}
                </option>
              ))}
            </select>
          </label>
        ))}
        {pending ? <span className="text-xs text-slate-500" role="status">Updating…</span> : null}
      </div>
      {active.length > 0 || params.get('q') ? (
        <div className="flex flex-wrap items-center gap-2 text-xs">
          <span className="text-slate-500">Filtered by</span>
          {params.get('q') ? (
            <Chip label={`“${params.get('q')}”`} onClear={() => apply({ q: null })} />
          ) : null}
          {active.map((f) => {
            const v = params.get(f.param) ?? ''
            const label = v.split(',').map((x) => f.options.find((o) => o.value === x)?.label ?? x).join(', ')
            return <Chip key={f.param} label={`${f.label}: ${label}`} onClear={() => apply({ [f.param]: null })} />
          })}
          <button
            type="button"
            onClick={() => startTransition(() => router.push(pathname))}
            className="font-medium text-indigo-700 hover:underline"
          >
            Clear all
          </button>
        </div>
      ) : null}
    </div>
  )
}

function Chip({ label, onClear }: { label: string; onClear: () => void }) {
  return (
    <span className="inline-flex items-center gap-1 rounded-full bg-indigo-50 py-0.5 pl-2 pr-1 text-indigo-800 ring-1 ring-inset ring-indigo-200">
      {label}
      <button type="button" onClick={onClear} aria-label={`Remove filter ${label}`} className="rounded-full px-1 hover:bg-indigo-100">×</button>
    </span>
  )
}
