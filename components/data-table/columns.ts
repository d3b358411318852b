/**
 * Shared TanStack Table v9 feature set + column helper for <DataTable>.
 * No 'use client' so it can be imported from any module, but column
 * definitions contain functions, so define them in a client module.
 */
import {
  columnFilteringFeature,
  columnVisibilityFeature,
  createColumnHelper,
  metaHelper,
  rowPaginationFeature,
  rowSelectionFeature,
  rowSortingFeature,
  tableFeatures,
  type ColumnDef,
  type RowData,
} from '@tanstack/react-table'

/** Per-column presentation hints, set via `meta` on a column definition. */
export interface DataTableColumnMeta {
  /** Label used in the "Columns" menu (defaults to a string `header`, else the id). */
  label?: string
  /** Text alignment of header and cells. */
  align?: 'start' | 'end' | 'center'
  /** Extra classes for the <th> and every <td> of this column (e.g. widths). */
  className?: string
  /** The body cells' vertical padding and alignment, in place of `py-1.5 align-middle`. */
  cellClassName?: string
  /** The cells of this column name their row (`<th scope="row">`). */
  rowHeader?: boolean
  /** Classes of a wrapper around each body cell's content (ListTable's `className`). */
  contentClassName?: string
}

/** Fully manual (server-driven) table: sorting, pagination, filtering happen on the server. */
export const dataTableFeatures = tableFeatures({
  columnFilteringFeature,
  rowSortingFeature,
  rowPaginationFeature,
  columnVisibilityFeature,
  rowSelectionFeature,
  columnMeta: metaHelper<DataTableColumnMeta>(),
})

export type DataTableFeatures = typeof dataTableFeatures

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- each column has its own value type; TanStack v9 types a heterogeneous column list with any (unknown rejects accessor columns)
export type DataTableColumnDef<Row extends RowData> = ColumnDef<DataTableFeatures, Row, any>

/**
 * Column helper bound to the DataTable feature set.
 * @example
 * const col = createDataTableColumnHelper<Identity>()
 * const columns = col.columns([col.accessor('name', { header: 'Name', enableSorting: true })])
 */
export function createDataTableColumnHelper<Row extends RowData>() {
  return createColumnHelper<DataTableFeatures, Row>()
}
