'use client'
import Link from 'next/link'
import { useMemo, type ReactNode } from 'react'
import { createDataTableColumnHelper } from '@/components/data-table/columns'
import type { TablePage } from '@/components/data-table/search-params'
import { DataTable } from '@/components/data-table/data-table'
import { Badge } from '@/components/ui/badge'
import { formatDate } from '@/components/ui/format'
import { SEVERITY_TONES, toneOf } from '@/components/ui/tones'
import { AcceptForm } from './accept-form'
import { RevokeAcceptanceButton } from './revoke-acceptance-button'

export type FindingRow = {
  id: string
  severity: string
  owaspCode: string
  owaspLabel: string
  title: string
  detail: string | null
  status: string
  firstSeenAt: string
  identity: { id: string; name: string; environment: string; riskScore: number; owner: { name: string; active: boolean } | null }
  accepted: { by: string | null; at: string | null; until: string | null; reason: string | null } | null
}

const col = createDataTableColumnHelper<FindingRow>()

export function FindingsTable(props: {
  orgSlug: string
  list: TablePage<FindingRow>
  /** the person may accept risks and revoke acceptances */
  canAccept: boolean
  acceptDates: { defaultUntil: string; maxUntil: string }
  /** the list filtered to each OWASP code (computed on the server: functions cannot cross to the client) */
  codeHrefs: Record<string, string>
  emptyState: ReactNode
}) {
  const { orgSlug, canAccept, acceptDates, codeHrefs } = props
  const columns = useMemo(
    () =>
      col.columns([
        col.accessor('severity', {
          header: 'Severity',
          enableSorting: true,
          cell: (i) => <Badge tone={toneOf(SEVERITY_TONES, i.getValue())}>{i.getValue()}</Badge>,
        }),
        col.accessor('owaspCode', {
          header: 'OWASP',
          cell: (i) => (
            <Link
              href={codeHrefs[i.getValue()] ?? '#'}
              title={i.row.original.owaspLabel}
              className="font-mono text-xs text-slate-700 underline decoration-slate-300 hover:decoration-slate-700"
            >
              {i.getValue()}
            </Link>
          ),
        }),
        col.accessor('title', {
          header: 'Finding',
          cell: (i) => (
            <div className="max-w-md whitespace-normal">
              <span className="text-slate-900">{i.getValue()}</span>
              {i.row.original.detail ? <p className="text-xs text-slate-600">{i.row.original.detail}</p> : null}
            </div>
          ),
        }),
        col.accessor('identity', {
          header: 'Identity',
          enableHiding: false,
          cell: (i) => {
            const v = i.getValue()
            return (
              <div className="min-w-0">
                <Link
                  href={`/${orgSlug}/identities/${v.id}`}
                  className="font-medium text-indigo-700 underline decoration-indigo-200 hover:decoration-indigo-700"
                >
                  {v.name}
                </Link>
                <div className="text-xs text-slate-600">
                  {v.environment} · risk {v.riskScore} ·{' '}
                  {v.owner ? (
                    <>
                      {v.owner.name}
                      {!v.owner.active ? (
                        <span className="ml-1">
                          <Badge tone="amber">deactivated</Badge>
                        </span>
                      ) : null}
                    </>
                  ) : (
                    'no owner'
                  )}
                </div>
              </div>
            )
          },
        }),
        col.accessor('firstSeenAt', { header: 'First seen', enableSorting: true, cell: (i) => formatDate(i.getValue()) }),
        col.display({
          id: 'risk',
          header: 'Accepted risk',
          cell: (i) => {
            const r = i.row.original
            if (r.status === 'accepted' && r.accepted) {
              return (
                <div className="max-w-sm whitespace-normal text-xs text-slate-700" data-testid="accepted-risk">
                  <p>
                    Accepted by <span className="font-medium">{r.accepted.by ?? 'unknown'}</span>
                    {r.accepted.at ? ` on ${formatDate(r.accepted.at)}` : ''} until <span className="font-medium">{formatDate(r.accepted.until)}</span>
                  </p>
                  {r.accepted.reason ? <p className="text-slate-600">“{r.accepted.reason}”</p> : null}
                  {canAccept ? <RevokeAcceptanceButton orgSlug={orgSlug} findingId={r.id} title={r.title} identity={r.identity.name} /> : null}
                </div>
              )
            }
            if (r.status === 'open' && canAccept) return <AcceptForm orgSlug={orgSlug} findingId={r.id} {...acceptDates} />
            return null
          },
        }),
      ]),
    [orgSlug, canAccept, acceptDates, codeHrefs],
  )
  return <DataTable ariaLabel="Findings" columns={columns} {...props.list} sortableColumns={['severity', 'firstSeenAt']} emptyState={props.emptyState} />
}
