import Link from 'next/link'
import { Badge } from '@/components/ui/badge'
import { CompactTable } from '@/components/ui/compact-table'
import { formatDateTime } from '@/components/ui/format'
import { CALL_DECISION_TONES, httpStatusTone } from '@/components/gateway/tones'
import { toneOf } from '@/components/ui/tones'

export type CallView = {
  id: string
  at: Date
  method: string
  path: string
  status: number
  latencyMs: number
  decision: string
  reason: string | null
  identity: { id: string; name: string } | null
  route: { id: string; name: string; pathPrefix: string } | null
}

/** Recorded gateway calls, newest first: on a route's page (showing who called) and an identity's (showing which route). */
export function CallsTable({ calls, show, base, testId }: { calls: CallView[]; show: 'identity' | 'route'; base: string; testId: string }) {
  if (!calls.length) return <p className="text-sm text-slate-500">No calls recorded yet.</p>
  return (
    <CompactTable
      testId={testId}
      columns={[
        'Time',
        show === 'identity' ? 'Identity' : 'Route',
        'Request',
        { header: 'Status', align: 'end' },
        { header: 'Latency', align: 'end' },
        'Decision',
      ]}
    >
      {calls.map((c) => (
        <tr key={c.id} data-testid="gateway-call">
          <td className="py-1.5 pr-3 whitespace-nowrap text-xs text-slate-500">{formatDateTime(c.at)}</td>
          <td className="py-1.5 pr-3">
            {show === 'identity' ? (
              c.identity ? (
                <Link href={`${base}/identities/${c.identity.id}`} className="text-indigo-700 hover:underline">
                  {c.identity.name}
                </Link>
              ) : (
                <span className="text-slate-500">unauthenticated</span>
              )
            ) : c.route ? (
              <Link href={`${base}/gateway/${c.route.id}`} className="text-indigo-700 hover:underline">
                {c.route.name}
              </Link>
            ) : (
              <span className="text-slate-500">no route</span>
            )}
          </td>
          <td className="max-w-xs truncate py-1.5 pr-3 font-mono text-xs" title={`${c.method} ${c.route?.pathPrefix ?? ''}${c.path}`}>
            <span className="font-semibold">{c.method}</span> {c.path}
          </td>
          <td className="py-1.5 pr-3 text-right">
            <Badge tone={httpStatusTone(c.status)}>{c.status}</Badge>
          </td>
          <td className="py-1.5 pr-3 text-right tabular-nums text-slate-600">{c.latencyMs < 10 ? c.latencyMs.toFixed(1) : Math.round(c.latencyMs)} ms</td>
          <td className="py-1.5">
            <Badge tone={toneOf(CALL_DECISION_TONES, c.decision)} title={c.reason ?? undefined}>
              {c.decision}
            </Badge>
            {c.reason && c.decision !== 'allow' ? <span className="ml-2 text-xs text-slate-500">{c.reason}</span> : null}
          </td>
        </tr>
      ))}
    </CompactTable>
  )
}
