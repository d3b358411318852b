'use client'

import type { ReactNode } from 'react'
import { formatNumber } from '@/components/ui/format'

export interface SelectionBarContext {
  /** Selected row ids (may include rows from other pages). */
  selectedIds: string[]
  /** Row count of the whole filtered set (for "Select all N matching"). */
  total: number
  /** Counting stopped at `total`: more than `total - 1` rows match. */
  totalAtLeast?: boolean
  /** Ids of the rows on the current page. */
  pageRowIds: string[]
  /** Every row on the current page is selected (time to offer "Select all N matching"). */
  allPageRowsSelected: boolean
  clearSelection: () => void
}

/** Indigo bar shown above the table while rows are selected. */
export function SelectionBar({ ctx, children }: { ctx: SelectionBarContext; children?: ReactNode }) {
  return (
    <div
      role="region"
      aria-label="Selection"
      className="flex min-h-11 flex-wrap items-center gap-x-4 gap-y-2 rounded-lg border border-indigo-200 bg-indigo-50 px-3 py-2 text-sm text-indigo-900"
    >
      {children ?? (
        <>
          <span className="font-medium tabular-nums">{formatNumber(ctx.selectedIds.length)} selected</span>
          <button
            type="button"
            onClick={ctx.clearSelection}
            className="rounded font-medium text-indigo-700 underline-offset-2 outline-none hover:underline focus-visible:ring-2 focus-visible:ring-indigo-500"
          >
            Clear selection
          </button>
        </>
      )}
    </div>
  )
}
