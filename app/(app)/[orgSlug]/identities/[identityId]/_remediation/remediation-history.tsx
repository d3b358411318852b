import { Card } from '@/components/ui/card'
import { formatDateTime } from '@/components/ui/format'
import { KIND_LABELS } from '@/lib/remediation/schemas'
import { RemediationStatus } from './remediation-status'
import type { RemediationDto } from './types'

/** Every remediation on this identity: what was asked, why, and what happened. */
export function RemediationHistory({ list }: { list: RemediationDto[] }) {
  if (list.length === 0) return null
  return (
    <Card title={`Remediation (${list.length})`}>
      <ul className="divide-y divide-slate-100 text-sm" data-testid="remediation-history">
        {list.slice(0, 20).map((r) => (
          <li key={r.id} className="flex flex-wrap items-start justify-between gap-2 py-2">
            <div className="min-w-0">
              <p>
                <span className="font-medium">{KIND_LABELS[r.kind as keyof typeof KIND_LABELS] ?? r.kind}</span>{' '}
                <span className="text-slate-500">— “{r.justification}”</span>
              </p>
              {r.instructions && r.status === 'manual' ? <p className="text-xs text-amber-800">{r.instructions}</p> : null}
              {r.detail ? <p className="text-xs text-slate-500">{r.detail}</p> : null}
            </div>
            <div className="flex items-center gap-2">
              <RemediationStatus r={r} />
              <span className="text-xs text-slate-500">{formatDateTime(r.createdAt)}</span>
            </div>
          </li>
        ))}
      </ul>
    </Card>
  )
}
