'use client'

import type { ChangeEvent } from 'react'

export interface CheckboxProps {
  checked: boolean
  indeterminate?: boolean
  disabled?: boolean
  /** Accessible name (visually hidden). */
  label: string
  onChange: (event: ChangeEvent<HTMLInputElement>) => void
}

/** Compact checkbox with indeterminate support, used for row selection. */
export function Checkbox({ checked, indeterminate = false, disabled, label, onChange }: CheckboxProps) {
  return (
    <input
      type="checkbox"
      aria-label={label}
      checked={checked}
      disabled={disabled}
      onChange={onChange}
      // Never let a checkbox click bubble into the row's click-to-open.
      onClick={(event) => event.stopPropagation()}
      ref={(el) => {
        if (el) el.indeterminate = indeterminate && !checked
      }}
      className="block size-4 cursor-pointer rounded border-slate-300 accent-indigo-600 outline-none focus-visible:ring-2 focus-visible:ring-indigo-500 focus-visible:ring-offset-1 disabled:cursor-not-allowed disabled:opacity-40"
    />
  )
}
