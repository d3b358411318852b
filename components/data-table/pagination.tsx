'use client'

import Link from 'next/link'
import { useId, type ReactNode } from 'react'
import { DEFAULT_PAGE_SIZE_OPTIONS, pageCount as countPages } from './url-state'
import { formatCount, formatNumber } from '@/components/ui/format'

export interface PaginationProps {
  /** 1-based current page. */
  page: number
  pageSize: number
  /** Row count of the whole (filtered) result set. */
  total: number
  /** Counting stopped at `total`: "more than total - 1", no last page. */
  totalAtLeast?: boolean
  /** Rows actually shown on this page (defaults to what page/pageSize imply). */
  rowCount?: number
  onPageChange: (page: number) => void
  onPageSizeChange: (pageSize: number) => void
  /** Pages as links (server-rendered panels): an unavailable one is not a link. */
  hrefFor?: (page: number) => string
  /** Names the buttons: "Next page" by default, "Next reviewers" with `noun="reviewers"`. */
  noun?: string
  /** The navigation landmark's name (a page with two tables names each). */
  label?: string
  /** Fewer than two sizes: no size menu. */
  pageSizeOptions?: readonly number[]
  className?: string
}

const PAGE_BUTTON =
  'inline-flex size-8 items-center justify-center rounded-md border border-slate-200 bg-white text-slate-600 shadow-xs outline-none transition-colors hover:bg-slate-50 hover:text-slate-900 focus-visible:ring-2 focus-visible:ring-indigo-500 focus-visible:ring-offset-1 aria-disabled:cursor-not-allowed aria-disabled:opacity-40 aria-disabled:hover:bg-white aria-disabled:hover:text-slate-600'

function PageButton({
  label,
  disabled,
  onClick,
  href,
  children,
}: {
  label: string
  disabled: boolean
  onClick: () => void
  href?: string
  children: ReactNode
}) {
  const icon = (
    <svg aria-hidden="true" viewBox="0 0 16 16" className="size-4">
      {children}
    </svg>
  )
  if (href !== undefined) {
    if (disabled)
      return (
        <span aria-disabled="true" className={PAGE_BUTTON}>
          {icon}
        </span>
      )
    return (
      <Link href={href} scroll={false} aria-label={label} title={label} className={PAGE_BUTTON}>
        {icon}
      </Link>
    )
  }
  // aria-disabled (not `disabled`) keeps keyboard focus on the button when the
  // last/first page is reached.
  return (
    <button
      type="button"
      aria-label={label}
      title={label}
      aria-disabled={disabled || undefined}
      onClick={() => {
        if (!disabled) onClick()
      }}
      className={PAGE_BUTTON}
    >
      {icon}
    </button>
  )
}

const stroke = {
  fill: 'none',
  stroke: 'currentColor',
  strokeWidth: 1.6,
  strokeLinecap: 'round',
  strokeLinejoin: 'round',
} as const

export function Pagination({
  page,
  pageSize,
  total,
  totalAtLeast = false,
  rowCount,
  onPageChange,
  onPageSizeChange,
  hrefFor,
  noun = 'page',
  label = 'Pagination',
  pageSizeOptions = DEFAULT_PAGE_SIZE_OPTIONS,
  className = '',
}: PaginationProps) {
  const selectId = useId()
  const pages = countPages(total, pageSize)
  const first = (page - 1) * pageSize + 1
  const shown = rowCount ?? Math.max(0, Math.min(pageSize, total - first + 1))
  const last = first + shown - 1
  const canPrev = page > 1
  const canNext = page < pages
  const canLast = canNext && !totalAtLeast
  const sizes = pageSizeOptions.includes(pageSize) ? pageSizeOptions : [...pageSizeOptions, pageSize].sort((a, b) => a - b)

  let summary: ReactNode
  if (total === 0) summary = 'No results'
  else if (shown === 0) summary = `No rows on this page · ${formatCount(total, totalAtLeast)} total`
  else
    summary = (
      <>
        Showing{' '}
        <span className="font-medium text-slate-900 tabular-nums">
          {formatNumber(first)}–{formatNumber(last)}
        </span>{' '}
        of <span className="font-medium text-slate-900 tabular-nums">{formatCount(total, totalAtLeast)}</span>
      </>
    )

  return (
    <nav aria-label={label} className={`flex flex-wrap items-center justify-between gap-x-6 gap-y-2 px-3 py-2 text-sm text-slate-600 ${className}`}>
      <p aria-live="polite" aria-atomic="true">
        {summary}
      </p>
      <div className="flex flex-wrap items-center gap-x-5 gap-y-2">
        {pageSizeOptions.length < 2 ? null : (
          <div className="flex items-center gap-2">
            <label htmlFor={selectId} className="whitespace-nowrap">
              Rows per page
            </label>
            <select
              id={selectId}
              value={pageSize}
              onChange={(e) => onPageSizeChange(Number(e.target.value))}
              className="h-8 rounded-md border border-slate-200 bg-white py-0 pr-7 pl-2 text-sm text-slate-900 shadow-xs outline-none focus-visible:border-indigo-500 focus-visible:ring-2 focus-visible:ring-indigo-500/30"
            >
              {sizes.map((size) => (
                <option key={size} value={size}>
                  {size}
                </option>
              ))}
            </select>
          </div>
        )}
        <span className="whitespace-nowrap tabular-nums">
          {totalAtLeast ? `Page ${formatNumber(page)}` : `Page ${formatNumber(Math.min(page, pages))} of ${formatNumber(pages)}`}
        </span>
        <div className="flex items-center gap-1">
          <PageButton label={`First ${noun}`} disabled={!canPrev} onClick={() => onPageChange(1)} href={hrefFor?.(1)}>
            <path d="M11.5 4 7.5 8l4 4M4.5 4v8" {...stroke} />
          </PageButton>
          <PageButton
            label={`Previous ${noun}`}
            disabled={!canPrev}
            onClick={() => onPageChange(Math.min(page - 1, pages))}
            href={hrefFor?.(Math.min(page - 1, pages))}
          >
            <path d="M10 4 6 8l4 4" {...stroke} />
          </PageButton>
          <PageButton label={`Next ${noun}`} disabled={!canNext} onClick={() => onPageChange(page + 1)} href={hrefFor?.(page + 1)}>
            <path d="m6 4 4 4-4 4" {...stroke} />
          </PageButton>
          <PageButton label={`Last ${noun}`} disabled={!canLast} onClick={() => onPageChange(pages)} href={hrefFor?.(pages)}>
            <path d="m4.5 4 4 4-4 4M11.5 4v8" {...stroke} />
          </PageButton>
        </div>
      </div>
    </nav>
  )
}
