import type { ReactNode } from 'react'
import type { SortDir } from './url-state'

export interface ColumnHeaderProps {
  children: ReactNode
  /** Renders a sort button when true. */
  sortable?: boolean
  /** Current sort direction of this column, `false` when not sorted by it. */
  sorted?: false | SortDir
  /** Called with the next direction: asc -> desc -> asc; unsorted -> `firstDir`. */
  onSort?: (dir: SortDir) => void
  /** Direction applied on the first click of an unsorted column (default 'asc'). */
  firstDir?: SortDir
  align?: 'start' | 'end' | 'center'
  className?: string
}

const alignClass = {
  start: 'text-left',
  end: 'text-right',
  center: 'text-center',
} as const

function SortIcon({ sorted }: { sorted: false | SortDir }) {
  if (!sorted) {
    return (
      <svg
        aria-hidden="true"
        viewBox="0 0 16 16"
        className="size-3.5 shrink-0 text-slate-300 opacity-0 transition-opacity group-hover:opacity-100 group-focus-visible:opacity-100"
      >
        <path d="M5 6.5 8 3.5l3 3M5 9.5l3 3 3-3" fill="none" stroke="currentColor" strokeWidth="1.5" strokeLinecap="round" strokeLinejoin="round" />
      </svg>
    )
  }
  return (
    <svg aria-hidden="true" viewBox="0 0 16 16" className="size-3.5 shrink-0 text-indigo-600">
      <path
        d={sorted === 'asc' ? 'M8 12.5v-9M4.5 7 8 3.5 11.5 7' : 'M8 3.5v9M4.5 9 8 12.5 11.5 9'}
        fill="none"
        stroke="currentColor"
        strokeWidth="1.75"
        strokeLinecap="round"
        strokeLinejoin="round"
      />
    </svg>
  )
}

/** A `<th scope="col">` with an optional sort toggle and `aria-sort`. */
export function ColumnHeader({ children, sortable = false, sorted = false, onSort, firstDir = 'asc', align = 'start', className = '' }: ColumnHeaderProps) {
  const ariaSort = sorted === 'asc' ? 'ascending' : sorted === 'desc' ? 'descending' : undefined
  const base = `sticky top-0 z-10 border-b border-slate-200 bg-slate-50/95 text-xs font-semibold tracking-wide whitespace-nowrap text-slate-600 backdrop-blur-sm ${alignClass[align]} ${className}`

  if (!sortable) {
    return (
      <th scope="col" className={`${base} px-3 py-2`}>
        {children}
      </th>
    )
  }

  const next: SortDir = sorted ? (sorted === 'asc' ? 'desc' : 'asc') : firstDir
  return (
    <th scope="col" aria-sort={ariaSort ?? 'none'} className={base}>
      <button
        type="button"
        onClick={() => onSort?.(next)}
        title={`Sort ${next === 'asc' ? 'ascending' : 'descending'}`}
        className={`group inline-flex w-full items-center gap-1 rounded px-3 py-2 text-xs font-semibold tracking-wide outline-none hover:text-slate-900 focus-visible:ring-2 focus-visible:ring-indigo-500 focus-visible:ring-inset ${
          align === 'end' ? 'flex-row-reverse' : align === 'center' ? 'justify-center' : ''
        } ${sorted ? 'text-slate-900' : ''}`}
      >
        <span className="truncate">{children}</span>
        <SortIcon sorted={sorted} />
      </button>
    </th>
  )
}
