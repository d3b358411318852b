'use client'
import Link from 'next/link'
import { useMemo, useState, type ReactNode } from 'react'
import { createDataTableColumnHelper } from '@/components/data-table/columns'
import type { TablePage } from '@/components/data-table/search-params'
import { DataTable } from '@/components/data-table/data-table'
import { Badge, PrivilegedBadge } from '@/components/ui/badge'
import { formatAgo, formatDate } from '@/components/ui/format'
import { ENVIRONMENT_TONES, riskTone, toneOf } from '@/components/ui/tones'
import { PersonName } from '@/components/members/person-status'
import type { PersonStatus } from '@/lib/members/person'
import { KIND_LABELS, SORTABLE } from '@/lib/inventory/schemas'
import { BulkAssignBar } from './bulk-assign-bar'
import type { Person, TeamOption } from './ownership-fields'

export type IdentityRow = {
  id: string
  name: string
  kind: string
  environment: string
  status: string
  source: string
  sourceType: string
  owner: string | null
  ownerStatus: PersonStatus | null
  team: string | null
  lastUsedAt: string | null
  /** false: the source does not report usage, so a missing last use is unknown, not never */
  usageReported: boolean
  createdAt: string
  oldestSecretAt: string | null
  riskScore: number
  privileged: boolean
  grantCount: number
  credentialCount: number
}

const col = createDataTableColumnHelper<IdentityRow>()
const DAY = 86_400_000

export function IdentitiesTable(props: {
  orgSlug: string
  list: TablePage<IdentityRow>
  hidden: string[]
  dormantDays: number
  emptyState: ReactNode
  /** People and teams to assign: present only for roles allowed to assign owners (enables row selection). */
  assign?: { people: Person[]; teams: TeamOption[] }
}) {
  const { orgSlug, dormantDays, assign } = props
  // Ages are relative to when the page was rendered on the server, so they match the filters.
  const [now] = useState(() => Date.now())
  const columns = useMemo(() => {
    return col.columns([
      col.accessor('name', {
        header: 'Name',
        enableSorting: true,
        enableHiding: false,
        cell: (info) => (
          <div className="min-w-0">
            <Link href={`/${orgSlug}/identities/${info.row.original.id}`} className="font-medium text-slate-900 hover:text-indigo-700">
              {info.getValue()}
            </Link>
            <PrivilegedBadge privileged={info.row.original.privileged} className="ml-1.5" />
          </div>
        ),
      }),
      col.accessor('kind', { header: 'Kind', enableSorting: true, cell: (i) => KIND_LABELS[i.getValue() as keyof typeof KIND_LABELS] ?? i.getValue() }),
      col.accessor('source', { header: 'Source', cell: (i) => <span className="text-slate-600">{i.getValue()}</span> }),
      col.accessor('environment', {
        header: 'Environment',
        enableSorting: true,
        cell: (i) => <Badge tone={toneOf(ENVIRONMENT_TONES, i.getValue())}>{i.getValue()}</Badge>,
      }),
      col.accessor('owner', {
        header: 'Owner',
        cell: (i) =>
          i.getValue() ? (
            <PersonName name={i.getValue()!} status={i.row.original.ownerStatus} />
          ) : (
            <span className="text-rose-700" title="No accountable owner">
              No owner
            </span>
          ),
      }),
      col.accessor('lastUsedAt', {
        header: 'Last used',
        enableSorting: true,
        cell: (i) => <Age at={i.getValue()} usageReported={i.row.original.usageReported} now={now} staleDays={dormantDays} />,
      }),
      col.accessor('oldestSecretAt', {
        header: 'Oldest secret',
        enableSorting: true,
        cell: (i) => (i.getValue() ? <Age at={i.getValue()} now={now} staleDays={365} /> : <span className="text-slate-500">—</span>),
      }),
      col.accessor('grantCount', {
        header: 'Grants',
        enableSorting: true,
        meta: { align: 'end' },
        cell: (i) => <span className="tabular-nums">{i.getValue()}</span>,
      }),
      col.accessor('riskScore', {
        header: 'Risk',
        enableSorting: true,
        meta: { align: 'end' },
        cell: (i) => <Badge tone={riskTone(i.getValue())}>{i.getValue()}</Badge>,
      }),
      col.accessor('status', { header: 'Status', enableSorting: true, cell: (i) => <span className="text-slate-600">{i.getValue()}</span> }),
      col.accessor('createdAt', { header: 'Created', enableSorting: true, cell: (i) => <span className="text-slate-600">{formatDate(i.getValue())}</span> }),
    ])
  }, [orgSlug, dormantDays, now])

  return (
    <DataTable
      ariaLabel="Identities"
      columns={columns}
      {...props.list}
      hiddenColumns={props.hidden}
      sortableColumns={SORTABLE}
      rowHref={(r) => `/${orgSlug}/identities/${r.id}`}
      emptyState={props.emptyState}
      enableSelection={!!assign}
      selectionBar={assign ? (ctx) => <BulkAssignBar ctx={ctx} orgSlug={orgSlug} people={assign.people} teams={assign.teams} /> : undefined}
    />
  )
}

/** A date as its age, amber once older than staleDays or missing (never used); "unknown" when the source does not report usage. */
function Age({ at, now, staleDays, usageReported = true }: { at: string | null; now: number; staleDays: number; usageReported?: boolean }) {
  if (!at && !usageReported)
    return (
      <span className="text-slate-500" title="The source does not report usage">
        unknown
      </span>
    )
  const stale = !at || now - new Date(at).getTime() > staleDays * DAY
  return (
    <span className={stale ? 'text-amber-700' : ''} title={at ? formatDate(at) : 'never used'}>
      {formatAgo(at, now)}
    </span>
  )
}
