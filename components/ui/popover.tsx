'use client'
import { useEffect, useId, useRef, useState, type ReactNode } from 'react'

/**
 * A button that opens a panel below it (menus, checkbox lists). Escape closes it and returns focus to the button;
 * so do a click outside and tabbing out of it.
 */
export function Popover({
  button,
  buttonClassName,
  children,
  align = 'left',
  panelClassName = 'w-64',
  label,
}: {
  button: ReactNode
  buttonClassName: string
  /** the panel's content; `close` shuts it (after picking something) */
  children: (close: () => void) => ReactNode
  align?: 'left' | 'right'
  panelClassName?: string
  /** accessible name of the panel */
  label: string
}) {
  const [open, setOpen] = useState(false)
  const panelId = useId()
  const root = useRef<HTMLDivElement>(null)
  const trigger = useRef<HTMLButtonElement>(null)

  useEffect(() => {
    if (!open) return
    const onPointerDown = (e: PointerEvent) => {
      if (e.target instanceof Node && !root.current?.contains(e.target)) setOpen(false)
    }
    document.addEventListener('pointerdown', onPointerDown)
    return () => document.removeEventListener('pointerdown', onPointerDown)
  }, [open])

  return (
    <div
      ref={root}
      className="relative"
      onKeyDown={(e) => {
        if (e.key === 'Escape' && open) {
          e.preventDefault()
          e.stopPropagation()
          setOpen(false)
          trigger.current?.focus()
        }
      }}
      onBlur={(e) => {
        if (open && e.relatedTarget instanceof Node && !root.current?.contains(e.relatedTarget)) setOpen(false)
      }}
    >
      <button ref={trigger} type="button" aria-expanded={open} aria-controls={panelId} onClick={() => setOpen((o) => !o)} className={buttonClassName}>
        {button}
        <svg aria-hidden="true" viewBox="0 0 16 16" className={`size-3.5 shrink-0 text-slate-400 transition-transform ${open ? 'rotate-180' : ''}`}>
          <path d="m4.5 6.5 3.5 3.5 3.5-3.5" fill="none" stroke="currentColor" strokeWidth="1.6" strokeLinecap="round" strokeLinejoin="round" />
        </svg>
      </button>
      {open ? (
        <div
          id={panelId}
          role="group"
          aria-label={label}
          className={`absolute z-30 mt-1 rounded-lg border border-slate-200 bg-white p-1 text-sm shadow-lg ring-1 ring-slate-900/5 ${align === 'right' ? 'right-0' : 'left-0'} ${panelClassName}`}
        >
          {children(() => setOpen(false))}
        </div>
      ) : null}
    </div>
  )
}
