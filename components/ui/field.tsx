'use client'
import { createContext, useContext, useId, type AriaAttributes, type InputHTMLAttributes, type ReactNode, type TextareaHTMLAttributes } from 'react'

type FieldContext = { id: string; describedBy?: string; invalid: boolean }
const Ctx = createContext<FieldContext | null>(null)

const SIZES = {
  xs: 'px-1.5 py-0.5 text-xs',
  sm: 'px-2 py-1 text-sm',
  md: 'px-2.5 py-1.5 text-sm',
} as const
export type ControlSize = keyof typeof SIZES

/** The look of every text box and select; a control inside a <Field> takes the field's width. */
export function controlClass(size: ControlSize = 'md', extra = '') {
  return `rounded-md border border-slate-300 bg-white text-slate-900 shadow-xs placeholder:text-slate-500 focus:border-indigo-500 focus:ring-2 focus:ring-indigo-500/30 focus:outline-none disabled:bg-slate-50 disabled:text-slate-500 aria-invalid:border-rose-400 ${SIZES[size]} ${extra}`
}

/** id, aria-describedby and aria-invalid of a control: from its <Field> when inside one, else its own props. */
export function useFieldControl(props: { id?: string; 'aria-describedby'?: string; 'aria-invalid'?: AriaAttributes['aria-invalid'] }) {
  const field = useContext(Ctx)
  return {
    id: props.id ?? field?.id,
    'aria-describedby': props['aria-describedby'] ?? field?.describedBy,
    'aria-invalid': props['aria-invalid'] ?? (field?.invalid ? true : undefined),
    width: field ? 'block w-full' : '',
  }
}

/**
 * A label, its control, a hint and the field's error messages. The control inside (Input, Textarea, Select) gets
 * the id, aria-describedby and aria-invalid; give `id` when the control is another component (a people picker).
 */
export function Field({
  id: given,
  label,
  hint,
  error,
  children,
  className = '',
  testId,
}: {
  id?: string
  label: ReactNode
  hint?: ReactNode
  error?: string | string[] | null
  children: ReactNode
  className?: string
  testId?: string
}) {
  const auto = useId()
  const id = given ?? auto
  const messages = (Array.isArray(error) ? error : error ? [error] : []).filter(Boolean)
  const hintId = hint ? `${id}-hint` : undefined
  const errorId = messages.length ? `${id}-error` : undefined
  const describedBy = [hintId, errorId].filter(Boolean).join(' ') || undefined
  return (
    <div className={`space-y-1 ${className}`}>
      <label htmlFor={id} className="block text-sm font-medium text-slate-700">
        {label}
      </label>
      <Ctx.Provider value={{ id, describedBy, invalid: messages.length > 0 }}>{children}</Ctx.Provider>
      {hint ? (
        <p id={hintId} className="text-xs text-slate-500">
          {hint}
        </p>
      ) : null}
      {messages.length ? (
        <p id={errorId} className="text-xs font-medium text-rose-700" data-testid={testId}>
          {messages.join(' ')}
        </p>
      ) : null}
    </div>
  )
}

export function Input({ size = 'md', className = '', ...props }: Omit<InputHTMLAttributes<HTMLInputElement>, 'size'> & { size?: ControlSize }) {
  const { width, ...a11y } = useFieldControl(props)
  return <input {...props} {...a11y} className={controlClass(size, `${width} ${className}`)} />
}

export function Textarea({ size = 'md', className = '', ...props }: TextareaHTMLAttributes<HTMLTextAreaElement> & { size?: ControlSize }) {
  const { width, ...a11y } = useFieldControl(props)
  return <textarea {...props} {...a11y} className={controlClass(size, `${width} ${className}`)} />
}

/** A form-level error under a form or in a dialog. */
export function FormError({ children }: { children: ReactNode }) {
  if (!children) return null
  return (
    <p className="rounded-md bg-rose-50 px-3 py-2 text-sm text-rose-800 ring-1 ring-rose-200" data-testid="form-error">
      {children}
    </p>
  )
}
