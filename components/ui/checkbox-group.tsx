'use client'
import { useId, type ReactNode } from 'react'

export type CheckboxOption = { value: string; label: ReactNode; ariaLabel?: string }

/** A form's set of checkboxes with a legend, a hint and the field's messages; `value` holds the checked options' values. */
export function CheckboxGroup({
  legend,
  hint,
  options,
  value,
  onChange,
  error,
  layout = 'flex flex-wrap gap-x-4 gap-y-1',
  labelClassName = 'text-sm',
}: {
  legend: ReactNode
  hint?: ReactNode
  options: CheckboxOption[]
  value: string[]
  onChange: (value: string[]) => void
  error?: string[] | null
  /** classes of the box that holds the options */
  layout?: string
  /** classes of each option's label (font, size) */
  labelClassName?: string
}) {
  const id = useId()
  const describedBy = [hint ? `${id}-hint` : null, error?.length ? `${id}-error` : null].filter(Boolean).join(' ') || undefined
  return (
    <fieldset aria-describedby={describedBy}>
      <legend className="text-sm font-medium text-slate-700">{legend}</legend>
      {hint ? (
        <p id={`${id}-hint`} className="text-xs text-slate-500">
          {hint}
        </p>
      ) : null}
      <div className={`mt-1.5 ${layout}`}>
        {options.map((o) => (
          <label key={o.value} className={`flex items-center gap-1.5 text-slate-800 ${labelClassName}`}>
            <input
              type="checkbox"
              checked={value.includes(o.value)}
              onChange={(e) => onChange(e.target.checked ? [...value, o.value] : value.filter((v) => v !== o.value))}
              className="size-4 rounded border-slate-400 accent-indigo-600"
              aria-label={o.ariaLabel}
            />
            {o.label}
          </label>
        ))}
      </div>
      {error?.length ? (
        <p id={`${id}-error`} className="mt-1 text-xs font-medium text-rose-700">
          {error.join(' ')}
        </p>
      ) : null}
    </fieldset>
  )
}
