import { Badge } from '@/components/ui/badge'
import { Card } from '@/components/ui/card'
import { CompactTable } from '@/components/ui/compact-table'
import { formatAgo, formatDateTime, formatNumber } from '@/components/ui/format'
import type { UserCtx } from '@/lib/auth/org-context'
import { identityTasks } from '@/lib/federation/queries'

/** An identity's short-lived tokens from the token exchange: each task, what it allowed, how it ended, what it did. Nothing when it has none. */
export async function IdentityTasksSection({ ctx, identityId, now }: { ctx: UserCtx; identityId: string; now: number }) {
  const tasks = await identityTasks(ctx, identityId)
  if (tasks.length === 0) return null
  return (
    <Card title="Tasks and short-lived tokens">
      <CompactTable testId="identity-tasks" columns={['Issued', 'Task', 'Allowed', 'Ended', { header: 'Gateway calls', align: 'end' }]}>
        {tasks.map((t) => {
          const expired = t.expiresAt !== null && t.expiresAt.getTime() <= now
          return (
            <tr key={t.jti} data-testid="identity-task">
              <td className="py-1.5 pr-3 whitespace-nowrap text-slate-600" title={formatDateTime(t.issuedAt)}>
                {formatAgo(t.issuedAt, now)}
              </td>
              <td className="py-1.5 pr-3">{t.task ?? <span className="text-slate-500">no task given</span>}</td>
              <td className="py-1.5 pr-3 font-mono text-xs text-slate-600">
                {t.scope} <span className="text-slate-500">→ {t.audience}</span>
              </td>
              <td className="py-1.5 pr-3 whitespace-nowrap">
                {t.endedAt ? (
                  <Badge tone="gray" title={formatDateTime(t.endedAt)}>
                    ended by the workload
                  </Badge>
                ) : expired ? (
                  <Badge tone="gray" title={formatDateTime(t.expiresAt)}>
                    expired
                  </Badge>
                ) : (
                  <Badge tone="green" title={t.expiresAt ? `until ${formatDateTime(t.expiresAt)}` : undefined}>
                    active
                  </Badge>
                )}
              </td>
              <td className="py-1.5 text-right tabular-nums">
                {formatNumber(t.calls.allowed)}
                {t.calls.refused ? <span className="ml-1 text-xs text-rose-700">({formatNumber(t.calls.refused)} refused)</span> : null}
              </td>
            </tr>
          )
        })}
      </CompactTable>
    </Card>
  )
}
