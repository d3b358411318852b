'use client'

import { useMemo, type ReactNode } from 'react'
import { createDataTableColumnHelper, type DataTableColumnMeta } from './columns'
import { DataTable, type DataTableProps } from './data-table'

/** A column described by plain data, so a server component can describe it. */
export type ListColumn = Omit<DataTableColumnMeta, 'className'> & {
  id: string
  header: ReactNode
  /** Classes of each cell's content (wrapping, width, colour); the header keeps the table's look. */
  className?: string
  /** Sorted on the server by this column id (the list's search params allow it). */
  sortable?: boolean
  sortDescFirst?: boolean
}

/** A row whose cells the server rendered; `href` opens on click or Enter, `attrs` are its data-* attributes. */
export type ListRow = { id: string; cells: Record<string, ReactNode>; href?: string; attrs?: Record<string, string | undefined> }

const col = createDataTableColumnHelper<ListRow>()

/**
 * The one component type of every list cell. The page's server data arrives anew on each refresh (new `columns`), and a
 * cell function made per render would be a new component type each time: React would remount the cells' client
 * components and lose their state (a form's "saved" message vanished right after its save refreshed the page).
 */
function ListCell({ getValue, column }: { getValue: () => unknown; column: { columnDef: { meta?: DataTableColumnMeta } } }) {
  const className = column.columnDef.meta?.contentClassName
  const value = getValue() as ReactNode
  return className ? <div className={className}>{value}</div> : value
}

/**
 * The data table for a list a server component renders: the same sticky header, pager and URL state as every
 * table, with cells rendered on the server (links, forms and buttons included).
 */
export function ListTable({
  columns,
  rows,
  ...props
}: Omit<DataTableProps<ListRow>, 'columns' | 'rows' | 'rowHref' | 'rowAttributes' | 'getRowId'> & { columns: ListColumn[]; rows: ListRow[] }) {
  const defs = useMemo(
    () =>
      columns.map(({ id, header, sortable, sortDescFirst, className, ...meta }) =>
        col.accessor((r) => r.cells[id], {
          id,
          header: typeof header === 'string' ? header : () => header,
          cell: ListCell,
          enableSorting: !!sortable,
          enableHiding: false,
          sortDescFirst,
          meta: { label: typeof header === 'string' ? header : id, contentClassName: className, ...meta },
        }),
      ),
    [columns],
  )
  const linked = rows.some((r) => r.href)
  return <DataTable {...props} columns={defs} rows={rows} rowHref={linked ? (r) => r.href : undefined} rowAttributes={(r) => r.attrs} />
}
