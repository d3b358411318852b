import type { ReactElement } from 'react'
import type { ListColumn } from './list-table'

type Header = string | ReactElement
/** A column's header, or [header, classes of each cell's content, other settings]. */
export type ColumnSpec = Header | [header: Header, className?: string, more?: Omit<ListColumn, 'id' | 'header' | 'className'>]

/** A list page's columns, in order, keyed by their id (the key of each row's cells). */
export function listColumns(spec: Record<string, ColumnSpec>): ListColumn[] {
  return Object.entries(spec).map(([id, s]) => (Array.isArray(s) ? { id, header: s[0], className: s[1], ...s[2] } : { id, header: s }))
}

/** The column of a row's buttons: its header is read by screen readers only. */
export function actionsColumn(label = 'Actions', more?: Omit<ListColumn, 'id' | 'header' | 'className'>): ColumnSpec {
  return [
    <span key="header" className="sr-only">
      {label}
    </span>,
    undefined,
    { align: 'end', ...more },
  ]
}
