import type { ReactNode } from 'react'

/** A header, or a header with its settings: `end` aligns it right (numbers), `srOnly` shows it to screen readers only. */
export type CompactColumn = string | { header: string; align?: 'end'; srOnly?: boolean }

/**
 * A short table inside a card (a few rules, the latest calls): plain rows the caller renders as <tr>, no paging or
 * sorting. Long lists use components/data-table. Cells take `py-1.5 pr-3` (the last one no `pr-3`) to line up with the header.
 */
export function CompactTable({ columns, testId, children }: { columns: CompactColumn[]; testId?: string; children: ReactNode }) {
  return (
    <div className="overflow-x-auto">
      <table className="min-w-full text-sm" data-testid={testId}>
        <thead>
          <tr className="border-b border-slate-200 text-left text-xs text-slate-500">
            {columns.map((c, i) => {
              const { header, align, srOnly } = typeof c === 'string' ? { header: c, align: undefined, srOnly: false } : c
              const last = i === columns.length - 1
              return (
                <th key={header} scope="col" className={`py-1.5 font-medium ${last ? '' : 'pr-3'} ${align === 'end' ? 'text-right' : ''}`}>
                  {srOnly ? <span className="sr-only">{header}</span> : header}
                </th>
              )
            })}
          </tr>
        </thead>
        <tbody className="divide-y divide-slate-100">{children}</tbody>
      </table>
    </div>
  )
}
