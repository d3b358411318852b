'use client'
import { usePathname, useRouter, useSearchParams } from 'next/navigation'
import { useEffect, useOptimistic, useRef, useTransition } from 'react'
import { MultiSelect } from '@/components/ui/multi-select'
import { PeoplePicker, type PickerPerson } from '@/components/ui/people-picker'
import type { IdentityFilter } from '@/lib/inventory/schemas'
import { parseInventoryFilter } from '@/lib/inventory/view-params'
import { formatNumber } from '@/components/ui/format'
import { SearchBox } from '@/components/ui/search-box'

export type FacetOption = { value: string; label: string; count?: number }
export type FacetDef = {
  param: keyof IdentityFilter & string
  label: string
  /** the choices; for a people facet, the non-person ones ("No owner") */
  options: FacetOption[]
  multiple?: boolean
  /** a person facet: a searchable people picker instead of a list */
  people?: PickerPerson[]
}

const VIEW_ONLY = ['sort', 'dir', 'size', 'hide']

type Chip = { key: string; label: string; clear: (p: URLSearchParams) => void }

/**
 * Filters live in the URL; every change resets to page 1 so the view stays shareable and consistent. Every active
 * filter is a chip that removes just itself; multi-value filters get one chip per value.
 */
export function FilterBar({ facets, query }: { facets: FacetDef[]; query: string }) {
  const router = useRouter()
  const pathname = usePathname()
  const params = useSearchParams()
  const [pending, startTransition] = useTransition()
  // The URL as it will be once the navigation lands, so quick successive clicks build on each other.
  const [current, setCurrent] = useOptimistic(params.toString())
  const chipRow = useRef<HTMLDivElement>(null)
  const search = useRef<HTMLInputElement>(null)
  const focusChip = useRef<number | null>(null)

  function navigate(change: (p: URLSearchParams) => void) {
    const next = new URLSearchParams(current)
    change(next)
    next.delete('page')
    const qs = next.toString()
    startTransition(() => {
      setCurrent(qs)
      router.push(qs ? `${pathname}?${qs}` : pathname)
    })
  }
  const setValues = (param: string, values: string[]) =>
    navigate((p) => {
      p.delete(param)
      if (values.length) p.set(param, values.join(','))
    })

  const sp = new URLSearchParams(current)
  const filter = parseInventoryFilter(sp)
  const chips: Chip[] = []
  if (filter.q) chips.push({ key: 'q', label: `Search: “${filter.q}”`, clear: (p) => p.delete('q') })
  for (const f of facets) {
    const labelOf = (v: string) => f.options.find((o) => o.value === v)?.label ?? f.people?.find((p) => p.id === v)?.name ?? v
    const raw = filter[f.param]
    const values = Array.isArray(raw) ? raw : raw ? [String(raw)] : []
    for (const v of values) {
      chips.push({
        key: `${f.param}:${v}`,
        label: `${f.label}: ${labelOf(v)}`,
        clear: (p) => {
          const rest = values.filter((x) => x !== v)
          p.delete(f.param)
          if (rest.length) p.set(f.param, rest.join(','))
        },
      })
    }
  }

  // Removing a chip moves focus to the chip now in its place (or Clear all, or the search box), not to the page top.
  const chipKeys = chips.map((c) => c.key).join('|')
  useEffect(() => {
    const at = focusChip.current
    if (at === null) return
    focusChip.current = null
    const buttons = chipRow.current?.querySelectorAll<HTMLButtonElement>('button')
    const target = buttons?.length ? buttons[Math.min(at, buttons.length - 1)] : search.current
    target?.focus()
  }, [chipKeys])

  return (
    <div className="mb-4 space-y-3" aria-busy={pending}>
      <div className="flex flex-wrap items-center gap-2">
        <SearchBox
          label="Search identities"
          query={query}
          onSearch={(q) => navigate((p) => (q ? p.set('q', q) : p.delete('q')))}
          placeholder="Search name, external id or tag…"
          className="w-72"
          inputRef={search}
        />
        {facets.map((f) => {
          const raw = filter[f.param]
          if (f.multiple) {
            const values = Array.isArray(raw) ? raw : []
            return <MultiSelect key={f.param} label={f.label} options={f.options} selected={values} onChange={(v) => setValues(f.param, v)} />
          }
          const value = typeof raw === 'string' ? raw : ''
          if (f.people) {
            return (
              <PeoplePicker
                key={f.param}
                id={`facet-${f.param}`}
                ariaLabel={f.label}
                className="w-56"
                people={f.people}
                value={value}
                onChange={(v) => setValues(f.param, v ? [v] : [])}
                choices={[{ value: '', label: `${f.label}: any` }, ...f.options]}
              />
            )
          }
          // A value the list does not offer (say, a person who has left) still shows as the current choice.
          const options = value && !f.options.some((o) => o.value === value) ? [...f.options, { value, label: value }] : f.options
          return (
            <select
              key={f.param}
              aria-label={f.label}
              value={value}
              onChange={(e) => setValues(f.param, e.target.value ? [e.target.value] : [])}
              className={`max-w-[14rem] rounded-md border bg-white py-1.5 pr-7 pl-2 text-sm shadow-sm focus:border-indigo-500 focus:ring-1 focus:ring-indigo-500 focus:outline-none ${
                value ? 'border-indigo-400 text-indigo-800' : 'border-slate-300 text-slate-700'
              }`}
            >
              <option value="">{f.label}: any</option>
              {options.map((o) => (
                <option key={o.value} value={o.value}>
                  {o.label}
                  {o.count === undefined ? '' : ` (${formatNumber(o.count)})`}
                </option>
              ))}
            </select>
          )
        })}
        {pending ? (
          <span className="text-xs text-slate-500" role="status">
            Updating…
          </span>
        ) : null}
      </div>
      {chips.length > 0 ? (
        <div className="flex flex-wrap items-center gap-2 text-xs" role="group" aria-label="Active filters" ref={chipRow} data-testid="filter-chips">
          <span className="text-slate-500">Filtered by</span>
          {chips.map((c, i) => (
            <button
              key={c.key}
              type="button"
              onClick={() => {
                focusChip.current = i
                navigate(c.clear)
              }}
              aria-label={`Remove filter ${c.label}`}
              title="Remove this filter"
              className="inline-flex items-center gap-1 rounded-full bg-indigo-50 py-0.5 pr-1.5 pl-2 text-indigo-800 ring-1 ring-indigo-200 ring-inset hover:bg-indigo-100 focus-visible:ring-2 focus-visible:ring-indigo-500 focus-visible:outline-none"
            >
              {c.label}
              <span aria-hidden="true" className="text-indigo-500">
                ×
              </span>
            </button>
          ))}
          <button
            type="button"
            onClick={() => {
              focusChip.current = 0
              navigate((p) => {
                for (const k of [...p.keys()]) if (!VIEW_ONLY.includes(k)) p.delete(k)
              })
            }}
            className="rounded px-1 font-medium text-indigo-700 hover:underline focus-visible:ring-2 focus-visible:ring-indigo-500 focus-visible:outline-none"
          >
            Clear all
          </button>
        </div>
      ) : null}
    </div>
  )
}
