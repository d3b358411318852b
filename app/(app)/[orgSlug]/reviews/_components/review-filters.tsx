'use client'
import { usePathname, useRouter, useSearchParams } from 'next/navigation'
import { useState, useTransition } from 'react'

type Option = { value: string; label: string }
const sel = 'rounded-md border border-slate-300 bg-white px-2 py-1.5 text-sm shadow-sm'

export function ReviewFilters({ campaigns, values }: { campaigns: Option[]; values: Record<string, string> }) {
  const router = useRouter()
  const pathname = usePathname()
  const params = useSearchParams()
  const [pending, startTransition] = useTransition()
  const [q, setQ] = useState(values.q)
  const apply = (k: string, v: string) => {
    const next = new URLSearchParams(params.toString())
    if (v) next.set(k, v)
    else next.delete(k)
    next.delete('page')
    startTransition(() => router.push(`${pathname}?${next.toString()}`, { scroll: false }))
  }
  const select = (k: string, label: string, options: Option[], any?: string) => (
    <label className="flex items-center gap-1 text-sm text-slate-600">
      <span>{label}</span>
      <select aria-label={label} className={sel} value={values[k]} onChange={(e) => apply(k, e.target.value)}>
        {any !== undefined ? <option value="">{any}</option> : null}
        {options.map((o) => <option key={o.value} value={o.value}>{o.label}</option>)}
      </select>
    </label>
  )
  return (
    <div className="mb-3 flex flex-wrap items-center gap-3" aria-busy={pending}>
      {select('campaign', 'Campaign', campaigns, 'All campaigns')}
      {select('state', 'State', [{ value: 'open', label: 'Open' }, { value: 'unsure', label: "Don't know" }, { value: 'decided', label: 'Decided' }, { value: 'all', label: 'All' }])}
      {select('privileged', 'Privileged', [{ value: 'yes', label: 'Privileged' }, { value: 'no', label: 'Not privileged' }], 'Any')}
      {select('rec', 'Recommendation', [{ value: 'revoke', label: 'Revoke' }, { value: 'keep', label: 'Keep' }], 'Any')}
      {select('view', 'View', [{ value: 'identity', label: 'Grouped by identity' }, { value: 'flat', label: 'Flat (privileged first)' }])}
      <form role="search" onSubmit={(e) => { e.preventDefault(); apply('q', q.trim()) }}>
        <label htmlFor="review-search" className="sr-only">Search identities</label>
        <input id="review-search" type="search" value={q} onChange={(e) => setQ(e.target.value)} placeholder="Identity name…" maxLength={100} className={`${sel} w-48`} />
      </form>
    </div>
  )
}
