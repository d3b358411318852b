'use client'

import { useEffect, useMemo, useOptimistic, useRef, useState, useTransition, type ReactNode } from 'react'
import { usePathname, useRouter, useSearchParams } from 'next/navigation'
import { FlexRender, useTable, type ColumnVisibilityState, type PaginationState, type RowData, type SortingState, type Updater } from '@tanstack/react-table'
import { dataTableFeatures, type DataTableColumnDef } from './columns'
import { ColumnHeader } from './column-header'
import { ColumnVisibility } from './column-visibility'
import { Checkbox } from './checkbox'
import { Pagination } from './pagination'
import { SelectionBar, type SelectionBarContext } from './selection-bar'
import { TableBody } from './table-body'
import { useRowSelection } from './use-row-selection'
import { buildHref, serializeHidden, tableParams, type ParamChanges, type SortDir } from './url-state'

export type { SelectionBarContext }

export interface DataTableProps<TData extends RowData> {
  rows: readonly TData[]
  /** Built with `createDataTableColumnHelper<Row>()`; keep the array stable (module scope / useMemo). */
  columns: readonly DataTableColumnDef<TData>[]
  /** Row count of the whole filtered set. */
  total: number
  /** Counting stopped at `total` (a capped count): the pager says "more than" and pages on without a last page. */
  totalAtLeast?: boolean
  /** 1-based current page. */
  page: number
  pageSize: number
  sort?: string
  dir?: SortDir
  /** Allow-list of sortable column ids. Omitted: columns with `enableSorting: true`. */
  sortableColumns?: readonly string[]
  /** Hidden column ids (the `hide` URL param). Given, the table offers the "Columns" menu; omitted, every column shows. */
  hiddenColumns?: readonly string[]
  /** Defaults to `row.id`. */
  getRowId?: (row: TData, index: number) => string
  /** Row click / Enter opens this href (Cmd/Ctrl opens a new tab). */
  rowHref?: (row: TData) => string | null | undefined
  /** data-* attributes of a row. */
  rowAttributes?: (row: TData) => Record<string, string | undefined> | undefined
  enableSelection?: boolean
  onSelectionChange?: (ids: string[]) => void
  /** Replaces the default "N selected · Clear" bar shown while rows are selected. */
  selectionBar?: (ctx: SelectionBarContext) => ReactNode
  /** Rendered in the table area when `rows` is empty (default: "No results"). */
  emptyState?: ReactNode
  /** Left side of the toolbar above the table (filters, search...). */
  toolbar?: ReactNode
  pageSizeOptions?: readonly number[]
  /** Accessible name of the <table>. */
  ariaLabel?: string
  /** data-testid of the <table>. */
  testId?: string
  /** Rendered as the table's <tfoot> (totals). */
  footer?: ReactNode
  /** A second table on the page keeps its state in prefixed params (`rpage`, `rsize`…). */
  paramPrefix?: string
  /** The pager's pages as links (for a panel the server pages), its buttons named after this noun ("Next reviewers"). */
  pagerLinks?: { noun: string }
  className?: string
  /** Classes for the scroll area that holds the sticky header (default `max-h-[70vh]`). */
  scrollAreaClassName?: string
}

interface View {
  page: number
  pageSize: number
  sort?: string
  dir: SortDir
  hidden: readonly string[]
}

const resolve = <T,>(updater: Updater<T>, old: T): T => (typeof updater === 'function' ? (updater as (old: T) => T)(old) : updater)

const NONE: readonly string[] = []

const defaultGetRowId = (row: RowData, index: number) => {
  const id = (row as { id?: unknown }).id
  return id == null ? String(index) : String(id)
}

export function DataTable<TData extends RowData>(props: DataTableProps<TData>) {
  const { rows, columns, total, enableSelection = false, onSelectionChange, selectionBar } = props
  const router = useRouter()
  const pathname = usePathname()
  const searchParams = useSearchParams()
  const [isPending, startTransition] = useTransition()

  // Optimistic view so headers, pager and columns respond before the server does.
  const [view, patchView] = useOptimistic<View, Partial<View>>(
    { page: props.page, pageSize: props.pageSize, sort: props.sort, dir: props.dir ?? 'asc', hidden: props.hiddenColumns ?? NONE },
    (state, patch) => ({ ...state, ...patch }),
  )

  // useSearchParams() is stale until a pending navigation commits, so chained
  // clicks (sort, then next page) build on the last URL we pushed.
  const pendingQuery = useRef<string | null>(null)
  const names = tableParams(props.paramPrefix)
  const navigate = (changes: ParamChanges, patch: Partial<View>, resetPage = true) => {
    const base = isPending && pendingQuery.current !== null ? pendingQuery.current : searchParams.toString()
    const href = buildHref(pathname, base, changes, { resetPage, pageParam: names.page })
    pendingQuery.current = href.includes('?') ? href.slice(href.indexOf('?') + 1) : ''
    startTransition(() => {
      patchView(patch)
      router.push(href, { scroll: false })
    })
  }

  // A scroll area the keyboard can reach (WCAG 2.1.1) when the table overflows it.
  const scrollArea = useRef<HTMLDivElement>(null)
  const [scrolls, setScrolls] = useState(false)
  useEffect(() => {
    const el = scrollArea.current
    if (!el) return
    const check = () => setScrolls(el.scrollWidth > el.clientWidth + 1 || el.scrollHeight > el.clientHeight + 1)
    check()
    const observer = new ResizeObserver(check)
    observer.observe(el)
    return () => observer.disconnect()
  }, [rows])

  // Selected ids survive paging/sorting; cleared when a filter param changes.
  const [rowSelection, setRowSelection] = useRowSelection(searchParams, onSelectionChange)

  const sorting = useMemo<SortingState>(() => (view.sort ? [{ id: view.sort, desc: view.dir === 'desc' }] : []), [view.sort, view.dir])
  const pagination = useMemo<PaginationState>(() => ({ pageIndex: view.page - 1, pageSize: view.pageSize }), [view.page, view.pageSize])
  const columnVisibility = useMemo<ColumnVisibilityState>(() => Object.fromEntries(view.hidden.map((id) => [id, false])), [view.hidden])

  const table = useTable({
    features: dataTableFeatures,
    columns,
    data: rows,
    getRowId: props.getRowId ?? defaultGetRowId,
    manualPagination: true,
    manualSorting: true,
    manualFiltering: true,
    autoResetAll: false,
    autoResetPageIndex: false,
    rowCount: total,
    enableMultiSort: false,
    enableSortingRemoval: false,
    enableRowSelection: enableSelection,
    state: { sorting, pagination, columnVisibility, rowSelection },
    onSortingChange: (updater) => {
      const next = resolve(updater, sorting)[0]
      const dir: SortDir = next?.desc ? 'desc' : 'asc'
      navigate({ [names.sort]: next?.id ?? null, [names.dir]: next ? dir : null }, { sort: next?.id, dir, page: 1 })
    },
    onPaginationChange: (updater) => {
      const next = resolve(updater, pagination)
      if (next.pageSize !== pagination.pageSize) {
        navigate({ [names.pageSize]: next.pageSize }, { pageSize: next.pageSize, page: 1 })
      } else if (next.pageIndex !== pagination.pageIndex) {
        navigate({ [names.page]: next.pageIndex + 1 }, { page: next.pageIndex + 1 })
      }
    },
    onColumnVisibilityChange: (updater) => {
      const next = resolve(updater, columnVisibility)
      const known = new Set(table.getAllLeafColumns().map((c) => c.id))
      const hidden = Object.keys(next).filter((id) => next[id] === false && known.has(id))
      navigate({ [names.hide]: serializeHidden(hidden) }, { hidden }, false)
    },
    onRowSelectionChange: (updater) => setRowSelection((old) => resolve(updater, old)),
  })

  const isSortable = (id: string, canSort: boolean, enableSorting: boolean | undefined) =>
    canSort && (props.sortableColumns ? props.sortableColumns.includes(id) : enableSorting === true)

  const pageRows = table.getRowModel().rows
  const pageRowIds = pageRows.map((r) => r.id)
  const selectedIds = Object.keys(rowSelection)
  const allPageSelected = pageRowIds.length > 0 && pageRowIds.every((id) => rowSelection[id])
  const somePageSelected = pageRowIds.some((id) => rowSelection[id])
  const visibleCount = table.getVisibleLeafColumns().length

  const hideable = table
    .getAllLeafColumns()
    .filter((c) => c.getCanHide())
    .map((c) => {
      const header = c.columnDef.header
      return { id: c.id, label: c.columnDef.meta?.label ?? (typeof header === 'string' ? header : c.id), visible: c.getIsVisible() }
    })

  const selectionCtx: SelectionBarContext = {
    selectedIds,
    total,
    totalAtLeast: props.totalAtLeast,
    pageRowIds,
    allPageRowsSelected: allPageSelected,
    clearSelection: () => setRowSelection({}),
  }

  const hideColumns = props.hiddenColumns !== undefined
  return (
    <div className={`flex flex-col gap-3 ${props.className ?? ''}`}>
      {(props.toolbar || hideColumns) && (
        <div className="flex flex-wrap items-center gap-2">
          <div className="flex min-w-0 flex-1 flex-wrap items-center gap-2">{props.toolbar}</div>
          {hideColumns && (
            <ColumnVisibility
              columns={hideable}
              onToggle={(id, visible) => table.getColumn(id)?.toggleVisibility(visible)}
              onShowAll={() => table.setColumnVisibility({})}
              canHideMore={visibleCount > 1}
            />
          )}
        </div>
      )}

      {enableSelection && selectedIds.length > 0 && <SelectionBar ctx={selectionCtx}>{selectionBar?.(selectionCtx)}</SelectionBar>}

      <div aria-busy={isPending} className="relative overflow-hidden rounded-lg border border-slate-200 bg-white shadow-xs">
        <div
          aria-hidden="true"
          className={`pointer-events-none absolute inset-x-0 top-0 z-20 h-0.5 overflow-hidden transition-opacity duration-200 ${isPending ? 'opacity-100 delay-150' : 'opacity-0'}`}
        >
          <style href="data-table-progress" precedence="default">
            {'@keyframes data-table-progress{0%{transform:translateX(-100%)}100%{transform:translateX(250%)}}'}
          </style>
          <div className="h-full w-2/5 bg-indigo-600 motion-safe:animate-[data-table-progress_1.1s_ease-in-out_infinite]" />
        </div>
        <div
          ref={scrollArea}
          tabIndex={scrolls ? 0 : undefined}
          className={`overflow-auto transition-opacity duration-200 outline-none focus-visible:ring-2 focus-visible:ring-indigo-500 focus-visible:ring-inset ${props.scrollAreaClassName ?? 'max-h-[70vh]'} ${isPending ? 'opacity-60 delay-150' : ''}`}
        >
          <table aria-label={props.ariaLabel} data-testid={props.testId} className="w-full border-separate border-spacing-0 text-sm">
            <thead>
              {table.getHeaderGroups().map((group) => (
                <tr key={group.id}>
                  {enableSelection && (
                    <th scope="col" className="sticky top-0 left-0 z-20 w-10 border-b border-slate-200 bg-slate-50 py-2 pr-0 pl-3 text-left">
                      <Checkbox
                        checked={allPageSelected}
                        indeterminate={somePageSelected && !allPageSelected}
                        disabled={pageRowIds.length === 0}
                        label="Select all rows on this page"
                        onChange={(e) => table.toggleAllPageRowsSelected(e.target.checked)}
                      />
                    </th>
                  )}
                  {group.headers.map((header, index) => {
                    const { column } = header
                    const meta = column.columnDef.meta
                    const sortable = isSortable(column.id, column.getCanSort(), column.columnDef.enableSorting)
                    return (
                      <ColumnHeader
                        key={header.id}
                        sortable={sortable}
                        sorted={sortable ? column.getIsSorted() : false}
                        firstDir={column.columnDef.sortDescFirst ? 'desc' : 'asc'}
                        onSort={(dir) => column.toggleSorting(dir === 'desc', false)}
                        align={meta?.align}
                        className={`${meta?.className ?? ''} ${index === 0 && group.headers.length > 1 ? `z-20 bg-slate-50 border-r border-r-slate-200 ${enableSelection ? 'left-10' : 'left-0'}` : ''}`}
                      >
                        {header.isPlaceholder ? null : <FlexRender header={header} />}
                      </ColumnHeader>
                    )
                  })}
                </tr>
              ))}
            </thead>
            <TableBody
              rows={pageRows}
              rowSelection={rowSelection}
              enableSelection={enableSelection}
              rowHref={props.rowHref}
              rowAttributes={props.rowAttributes}
              onOpen={(href, newTab) => (newTab ? window.open(href, '_blank', 'noopener') : router.push(href))}
              onPrefetch={(href) => router.prefetch(href)}
              colSpan={visibleCount + (enableSelection ? 1 : 0)}
              emptyState={props.emptyState}
            />
            {props.footer && rows.length ? <tfoot className="bg-slate-50 font-medium text-slate-900">{props.footer}</tfoot> : null}
          </table>
        </div>
        <div className="border-t border-slate-200 bg-white">
          <Pagination
            page={view.page}
            pageSize={view.pageSize}
            total={total}
            totalAtLeast={props.totalAtLeast}
            rowCount={isPending ? undefined : rows.length}
            pageSizeOptions={props.pageSizeOptions}
            onPageChange={(p) => table.setPageIndex(p - 1)}
            onPageSizeChange={(size) => table.setPageSize(size)}
            hrefFor={props.pagerLinks ? (p) => buildHref(pathname, searchParams, { [names.page]: p }, { pageParam: names.page }) : undefined}
            noun={props.pagerLinks?.noun}
            label={props.paramPrefix && props.ariaLabel ? `Pages of ${props.ariaLabel}` : undefined}
          />
        </div>
      </div>
    </div>
  )
}
