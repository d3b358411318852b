import { formatNumber } from '@/components/ui/format'

export type CheckboxItem = { value: string; label: string; checked: boolean; disabled?: boolean; count?: number }

/** A titled list of checkboxes for menus (visible columns, multi-select filters); each toggle is applied by the caller at once. */
export function CheckboxList({ legend, items, onToggle }: { legend: string; items: CheckboxItem[]; onToggle: (value: string, checked: boolean) => void }) {
  return (
    <fieldset>
      <legend className="px-2 pt-1.5 pb-1 text-xs font-semibold tracking-wide text-slate-500 uppercase">{legend}</legend>
      <div className="max-h-72 overflow-y-auto">
        {items.map((o) => (
          <label
            key={o.value}
            className="flex cursor-pointer items-center gap-2 rounded-md px-2 py-1.5 text-sm text-slate-700 hover:bg-slate-50 has-focus-visible:bg-slate-50"
          >
            <input
              type="checkbox"
              checked={o.checked}
              disabled={o.disabled}
              onChange={(e) => onToggle(o.value, e.target.checked)}
              className="size-4 rounded border-slate-300 accent-indigo-600 focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-indigo-500 disabled:opacity-50"
            />
            <span className="min-w-0 flex-1 truncate">{o.label}</span>
            {o.count !== undefined ? <span className="text-xs text-slate-500 tabular-nums">{formatNumber(o.count)}</span> : null}
          </label>
        ))}
      </div>
    </fieldset>
  )
}
