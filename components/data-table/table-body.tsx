'use client'

import { useState, type KeyboardEvent, type MouseEvent, type ReactNode } from 'react'
import { FlexRender, type Row, type RowData, type RowSelectionState } from '@tanstack/react-table'
import type { DataTableFeatures } from './columns'
import { Checkbox } from './checkbox'

const alignClass = { start: 'text-left', end: 'text-right', center: 'text-center' } as const
/**
 * The selection box and the first column stay in view while a wide table scrolls sideways inside its card. Cells
 * take the row's background (bg-inherit) so hover and selection still show, and a right border marks the edge.
 */
export const STICKY = {
  select: 'sticky left-0 z-[1] bg-inherit',
  first: 'sticky left-0 z-[1] bg-inherit border-r border-r-slate-200',
  afterSelect: 'sticky left-10 z-[1] bg-inherit border-r border-r-slate-200',
} as const

// Tables use border-separate (for the sticky header), so row borders live on cells.
const CELL_BORDER = 'border-b border-slate-100 group-last/row:border-b-0'
// Row focus ring drawn on the cells: outlines/box-shadows on <tr> do not render in every browser.
// Full literal class names so Tailwind's scanner picks them up.
const FOCUS_RING = {
  first: 'group-focus-visible/row:shadow-[inset_2px_0_0_var(--color-indigo-500),inset_0_2px_0_var(--color-indigo-500),inset_0_-2px_0_var(--color-indigo-500)]',
  middle: 'group-focus-visible/row:shadow-[inset_0_2px_0_var(--color-indigo-500),inset_0_-2px_0_var(--color-indigo-500)]',
  last: 'group-focus-visible/row:shadow-[inset_-2px_0_0_var(--color-indigo-500),inset_0_2px_0_var(--color-indigo-500),inset_0_-2px_0_var(--color-indigo-500)]',
  only: 'group-focus-visible/row:shadow-[inset_2px_0_0_var(--color-indigo-500),inset_-2px_0_0_var(--color-indigo-500),inset_0_2px_0_var(--color-indigo-500),inset_0_-2px_0_var(--color-indigo-500)]',
}

/** Clicks on these (inside a row) never trigger the row's href. */
const INTERACTIVE = 'a, button, input, select, textarea, label, summary, [role="button"], [data-row-click="ignore"]'

export interface TableBodyProps<TData extends RowData> {
  rows: Row<DataTableFeatures, TData>[]
  rowSelection: RowSelectionState
  enableSelection: boolean
  rowHref?: (row: TData) => string | null | undefined
  /** data-* attributes of a row (tests and scripts find rows by them). */
  rowAttributes?: (row: TData) => Record<string, string | undefined> | undefined
  onOpen: (href: string, newTab: boolean) => void
  onPrefetch: (href: string) => void
  /** Visible data columns + selection column, for the empty-state colSpan. */
  colSpan: number
  emptyState?: ReactNode
}

function DefaultEmptyState() {
  return (
    <div className="flex flex-col items-center gap-2 py-14 text-center">
      <svg aria-hidden="true" viewBox="0 0 24 24" className="size-8 text-slate-300">
        <path d="M4 6.5h16M4 12h16M4 17.5h9" fill="none" stroke="currentColor" strokeWidth="1.6" strokeLinecap="round" />
      </svg>
      <p className="text-sm font-medium text-slate-900">No results</p>
      <p className="text-sm text-slate-500">Try adjusting your search or filters.</p>
    </div>
  )
}

function focusRow(from: HTMLElement, where: 'next' | 'prev' | 'first' | 'last') {
  const rows = Array.from(from.closest('tbody')?.querySelectorAll<HTMLElement>(':scope > tr[data-row-id]') ?? [])
  const index = rows.indexOf(from)
  const target = where === 'first' ? rows[0] : where === 'last' ? rows[rows.length - 1] : rows[index + (where === 'next' ? 1 : -1)]
  target?.focus()
}

export function TableBody<TData extends RowData>({
  rows,
  rowSelection,
  enableSelection,
  rowHref,
  rowAttributes,
  onOpen,
  onPrefetch,
  colSpan,
  emptyState,
}: TableBodyProps<TData>) {
  // Roving tabindex: one row is in the tab order, arrows move between rows.
  const [activeId, setActiveId] = useState<string | null>(null)
  const focusable = enableSelection || !!rowHref
  const tabStopId = rows.some((r) => r.id === activeId) ? activeId : rows[0]?.id

  if (rows.length === 0) {
    return (
      <tbody>
        <tr>
          <td colSpan={colSpan} className="px-3">
            {emptyState ?? <DefaultEmptyState />}
          </td>
        </tr>
      </tbody>
    )
  }

  return (
    <tbody>
      {rows.map((row) => {
        const href = rowHref?.(row.original) ?? undefined
        const selected = !!rowSelection[row.id]

        const onKeyDown = (event: KeyboardEvent<HTMLTableRowElement>) => {
          if (event.target !== event.currentTarget || event.altKey) return
          const el = event.currentTarget
          switch (event.key) {
            case 'ArrowDown':
            case 'ArrowUp':
            case 'Home':
            case 'End':
              event.preventDefault()
              focusRow(el, event.key === 'ArrowDown' ? 'next' : event.key === 'ArrowUp' ? 'prev' : event.key === 'Home' ? 'first' : 'last')
              return
            case 'Enter':
              if (href) {
                event.preventDefault()
                onOpen(href, event.metaKey || event.ctrlKey)
              }
              return
            case ' ':
            case 'x':
              if (enableSelection && !event.metaKey && !event.ctrlKey && row.getCanSelect()) {
                event.preventDefault()
                row.toggleSelected(!selected)
              }
          }
        }

        const onClick = (event: MouseEvent<HTMLTableRowElement>) => {
          if (!href || event.defaultPrevented || event.button !== 0) return
          const target = event.target as Element
          const interactive = target.closest(INTERACTIVE)
          if (interactive && event.currentTarget.contains(interactive)) return
          if (window.getSelection()?.toString()) return // user is selecting text
          onOpen(href, event.metaKey || event.ctrlKey)
        }

        return (
          <tr
            key={row.id}
            {...rowAttributes?.(row.original)}
            data-row-id={row.id}
            data-selected={selected || undefined}
            tabIndex={focusable ? (row.id === tabStopId ? 0 : -1) : undefined}
            onFocus={() => setActiveId(row.id)}
            onKeyDown={focusable ? onKeyDown : undefined}
            onClick={href ? onClick : undefined}
            onMouseEnter={href ? () => onPrefetch(href) : undefined}
            className={`group/row outline-none transition-colors focus-visible:bg-indigo-50 ${
              selected ? 'bg-indigo-50 hover:bg-indigo-100/60' : 'bg-white hover:bg-slate-50'
            } ${href ? 'cursor-pointer' : ''}`}
          >
            {enableSelection && (
              <td className={`w-10 py-1.5 pr-0 pl-3 align-middle ${STICKY.select} ${CELL_BORDER} ${FOCUS_RING.first}`}>
                <Checkbox checked={selected} disabled={!row.getCanSelect()} label="Select row" onChange={row.getToggleSelectedHandler()} />
              </td>
            )}
            {row.getVisibleCells().map((cell, index, cells) => {
              const meta = cell.column.columnDef.meta
              const isFirst = index === 0 && !enableSelection
              const isLast = index === cells.length - 1
              const focusRing = FOCUS_RING[isFirst ? (isLast ? 'only' : 'first') : isLast ? 'last' : 'middle']
              const sticky = index === 0 && !isLast ? (enableSelection ? STICKY.afterSelect : STICKY.first) : ''
              const Cell = meta?.rowHeader ? 'th' : 'td'
              return (
                <Cell
                  key={cell.id}
                  scope={meta?.rowHeader ? 'row' : undefined}
                  className={`whitespace-nowrap px-3 text-slate-700 ${meta?.cellClassName ?? 'py-1.5 align-middle'} ${meta?.rowHeader ? 'text-left font-normal' : ''} ${sticky} ${CELL_BORDER} ${focusRing} ${alignClass[meta?.align ?? 'start']} ${meta?.className ?? ''}`}
                >
                  <FlexRender cell={cell} />
                </Cell>
              )
            })}
          </tr>
        )
      })}
    </tbody>
  )
}
