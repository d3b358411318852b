'use client'

import { useEffect, useRef } from 'react'
import { CheckboxList } from '@/components/ui/checkbox-list'

export interface ColumnVisibilityItem {
  id: string
  label: string
  visible: boolean
}

export interface ColumnVisibilityProps {
  /** Hideable columns, in display order. */
  columns: ColumnVisibilityItem[]
  onToggle: (id: string, visible: boolean) => void
  /** Shows a "Show all" action when given and something is hidden. */
  onShowAll?: () => void
  /** False when hiding one more column would leave the table empty. */
  canHideMore?: boolean
  className?: string
}

/**
 * "Columns" menu built on <details>/<summary>: keyboard operable by default,
 * closes on Escape (focus returns to the toggle) and on outside click.
 */
export function ColumnVisibility({ columns, onToggle, onShowAll, canHideMore, className = '' }: ColumnVisibilityProps) {
  const ref = useRef<HTMLDetailsElement>(null)
  const hiddenCount = columns.filter((c) => !c.visible).length
  const visibleCount = columns.length - hiddenCount

  useEffect(() => {
    const onPointerDown = (event: PointerEvent) => {
      const el = ref.current
      if (el?.open && event.target instanceof Node && !el.contains(event.target)) el.open = false
    }
    document.addEventListener('pointerdown', onPointerDown)
    return () => document.removeEventListener('pointerdown', onPointerDown)
  }, [])

  if (columns.length === 0) return null

  return (
    <details
      ref={ref}
      className={`group relative ${className}`}
      onKeyDown={(event) => {
        if (event.key === 'Escape' && ref.current?.open) {
          event.preventDefault()
          ref.current.open = false
          ref.current.querySelector('summary')?.focus()
        }
      }}
    >
      <summary className="inline-flex h-8 cursor-pointer list-none items-center gap-1.5 rounded-md border border-slate-200 bg-white px-2.5 text-sm font-medium text-slate-700 shadow-xs outline-none select-none hover:bg-slate-50 focus-visible:ring-2 focus-visible:ring-indigo-500 focus-visible:ring-offset-1 group-open:bg-slate-50 [&::-webkit-details-marker]:hidden">
        <svg aria-hidden="true" viewBox="0 0 16 16" className="size-4 text-slate-500">
          <path d="M2.5 3.5h11v9h-11zM6.25 3.5v9M9.75 3.5v9" fill="none" stroke="currentColor" strokeWidth="1.4" strokeLinejoin="round" />
        </svg>
        Columns
        {hiddenCount > 0 && (
          <span className="rounded-full bg-indigo-50 px-1.5 text-xs font-semibold text-indigo-700 tabular-nums">
            {visibleCount}/{columns.length}
          </span>
        )}
        <svg aria-hidden="true" viewBox="0 0 16 16" className="size-3.5 text-slate-500 transition-transform group-open:rotate-180">
          <path d="m4.5 6.5 3.5 3.5 3.5-3.5" fill="none" stroke="currentColor" strokeWidth="1.6" strokeLinecap="round" strokeLinejoin="round" />
        </svg>
      </summary>
      <div className="absolute right-0 z-30 mt-1 w-56 rounded-lg border border-slate-200 bg-white p-1 shadow-lg ring-1 ring-slate-900/5">
        <CheckboxList
          legend="Visible columns"
          // Keep at least one column visible.
          items={columns.map((c) => ({ value: c.id, label: c.label, checked: c.visible, disabled: c.visible && !(canHideMore ?? visibleCount > 1) }))}
          onToggle={onToggle}
        />
        {onShowAll && hiddenCount > 0 && (
          <div className="mt-1 border-t border-slate-100 pt-1">
            <button
              type="button"
              onClick={onShowAll}
              className="w-full rounded-md px-2 py-1.5 text-left text-sm font-medium text-indigo-600 outline-none hover:bg-indigo-50 focus-visible:ring-2 focus-visible:ring-indigo-500"
            >
              Show all columns
            </button>
          </div>
        )}
      </div>
    </details>
  )
}
