'use client'
import type { SelectHTMLAttributes } from 'react'
import { controlClass, useFieldControl, type ControlSize } from './field'

export type SelectOption = { value: string; label: string }

/**
 * A native select with the shared look. `any` adds a first, empty choice ("Any team"). Works controlled
 * (value/onChange) and in plain GET forms (name/defaultValue).
 */
export function Select({
  options,
  any,
  size = 'md',
  className = '',
  ...props
}: Omit<SelectHTMLAttributes<HTMLSelectElement>, 'size'> & { options: readonly SelectOption[]; any?: string; size?: ControlSize }) {
  const { width, ...a11y } = useFieldControl(props)
  return (
    <select {...props} {...a11y} className={controlClass(size, `pr-7 ${width} ${className}`)}>
      {any !== undefined ? <option value="">{any}</option> : null}
      {options.map((o) => (
        <option key={o.value} value={o.value}>
          {o.label}
        </option>
      ))}
    </select>
  )
}
