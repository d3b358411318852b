import Link from 'next/link'
import type { ReactNode } from 'react'
import { listColumns, type ColumnSpec } from '@/components/data-table/list-columns'
import { ListTable } from '@/components/data-table/list-table'
import { pageOf, paging } from '@/components/data-table/search-params'
import { LEASE_STATUS_TONES } from '@/components/leases/tones'
import { Badge } from '@/components/ui/badge'
import type { LeaseDto } from '@/lib/leases/queries'

/** A titled part of the Credentials page: the heading names the section for screen readers. */
export function TableSection({
  id,
  title,
  danger = false,
  testId,
  children,
}: {
  id: string
  title: ReactNode
  danger?: boolean
  testId?: string
  children: ReactNode
}) {
  return (
    <section aria-labelledby={`${id}-heading`} data-testid={testId}>
      <h2 id={`${id}-heading`} className={`mb-2 text-sm font-semibold ${danger ? 'text-rose-800' : 'text-slate-900'}`}>
        {title}
      </h2>
      {children}
    </section>
  )
}

export function LeaseStatus({ status }: { status: string }) {
  return <Badge tone={LEASE_STATUS_TONES[status] ?? 'gray'}>{status}</Badge>
}

/**
 * A section of leases under its heading (`name` makes its ids: `${name}-heading`, `${name}-leases-table`): one page
 * of them, paged in the URL under its own `prefix`; the role and the identity first, then the `columns` the caller
 * names and fills with `cells`.
 */
export function LeaseTable({
  name,
  title,
  danger,
  sectionTestId,
  leases,
  base,
  page,
  prefix,
  columns,
  cells,
  ariaLabel,
  rowTestId,
  emptyState,
}: {
  name: string
  title: ReactNode
  danger?: boolean
  sectionTestId?: string
  leases: LeaseDto[]
  /** the organization's path, for the identity links */
  base: string
  page: { page: number; size: number }
  prefix: string
  columns: Record<string, ColumnSpec>
  cells: (l: LeaseDto) => Record<string, ReactNode>
  ariaLabel: string
  rowTestId?: (l: LeaseDto) => string
  emptyState?: ReactNode
}) {
  return (
    <TableSection id={name} title={title} danger={danger} testId={sectionTestId}>
      <ListTable
        ariaLabel={ariaLabel}
        testId={`${name}-leases-table`}
        columns={listColumns({ role: 'Role', identity: 'Identity', ...columns })}
        paramPrefix={prefix}
        {...paging(page, leases.length)}
        emptyState={emptyState}
        rows={pageOf(leases, page).map((l) => ({
          id: l.id,
          attrs: rowTestId ? { 'data-testid': rowTestId(l) } : undefined,
          cells: {
            role: <code className="font-mono text-xs">{l.roleName}</code>,
            identity: (
              <Link href={`${base}/identities/${l.identity.id}`} className="font-medium text-indigo-700 hover:underline">
                {l.identity.name}
              </Link>
            ),
            ...cells(l),
          },
        }))}
      />
    </TableSection>
  )
}
