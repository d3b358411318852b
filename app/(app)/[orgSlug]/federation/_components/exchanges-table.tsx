import Link from 'next/link'
import { Badge } from '@/components/ui/badge'
import { CompactTable } from '@/components/ui/compact-table'
import { formatAgo, formatDateTime } from '@/components/ui/format'
import type { ExchangeRow } from '@/lib/federation/queries'

/** Recent token exchanges: who asked, what came out (or why not). */
export function ExchangesTable({ rows, base, now, testId }: { rows: ExchangeRow[]; base: string; now: number; testId: string }) {
  if (rows.length === 0) return <p className="text-sm text-slate-500">No exchanges yet. A workload exchanges its platform token at POST /api/v1/oauth/token.</p>
  return (
    <CompactTable testId={testId} columns={['When', 'Outcome', 'Subject', 'Identity', 'Scope and audience']}>
      {rows.map((x) => (
        <tr key={x.id} data-testid="exchange-row">
          <td className="py-1.5 pr-3 whitespace-nowrap text-slate-600" title={formatDateTime(x.at)}>
            {formatAgo(x.at, now)}
          </td>
          <td className="py-1.5 pr-3">
            {x.outcome === 'issued' ? <Badge tone="green">issued</Badge> : <Badge tone="red">{(x.reason ?? 'refused').replaceAll('-', ' ')}</Badge>}
          </td>
          <td className="max-w-64 truncate py-1.5 pr-3 font-mono text-xs" title={x.subject ?? undefined}>
            {x.subject ?? '—'}
          </td>
          <td className="py-1.5 pr-3">
            {x.identity ? (
              <Link href={`${base}/identities/${x.identity.id}`} className="text-indigo-700 hover:underline">
                {x.identity.name}
              </Link>
            ) : (
              <span className="text-slate-500">—</span>
            )}
          </td>
          <td className="py-1.5 font-mono text-xs text-slate-600">
            {x.scope ?? ''} {x.audience ? <span className="text-slate-500">→ {x.audience}</span> : null}
            {x.task ? <div className="font-sans text-slate-500">task: {x.task}</div> : null}
          </td>
        </tr>
      ))}
    </CompactTable>
  )
}
