'use client'
import { Popover } from '@/components/ui/popover'
import { CheckboxList } from '@/components/ui/checkbox-list'

export type MultiSelectOption = { value: string; label: string; count?: number }

/** A button that opens a checkbox list and names what is chosen: "Kind: API key, Bot". Each checkbox applies at once. */
export function MultiSelect({
  label,
  options,
  selected,
  onChange,
  anyLabel = 'any',
}: {
  label: string
  options: MultiSelectOption[]
  selected: string[]
  onChange: (values: string[]) => void
  anyLabel?: string
}) {
  const labelOf = (v: string) => options.find((o) => o.value === v)?.label ?? v
  const summary = selected.length === 0 ? anyLabel : selected.length <= 2 ? selected.map(labelOf).join(', ') : `${selected.length} selected`
  const toggle = (value: string, on: boolean) => onChange(on ? [...selected, value] : selected.filter((v) => v !== value))
  return (
    <Popover
      label={label}
      button={
        <span className="truncate">
          {label}: {summary}
        </span>
      }
      buttonClassName={`inline-flex max-w-[16rem] items-center gap-1 rounded-md border bg-white py-1.5 pr-2 pl-2.5 text-sm shadow-sm focus-visible:border-indigo-500 focus-visible:ring-1 focus-visible:ring-indigo-500 focus-visible:outline-none ${
        selected.length ? 'border-indigo-400 text-indigo-800' : 'border-slate-300 text-slate-700'
      }`}
    >
      {() => (
        <>
          <CheckboxList legend={label} items={options.map((o) => ({ ...o, checked: selected.includes(o.value) }))} onToggle={toggle} />
          {selected.length ? (
            <div className="mt-1 border-t border-slate-100 pt-1">
              <button
                type="button"
                onClick={() => onChange([])}
                className="w-full rounded-md px-2 py-1.5 text-left font-medium text-indigo-700 hover:bg-indigo-50 focus-visible:ring-2 focus-visible:ring-indigo-500 focus-visible:outline-none"
              >
                Any {label.toLowerCase()}
              </button>
            </div>
          ) : null}
        </>
      )}
    </Popover>
  )
}
