import { countOf } from '@/components/ui/format'
import type { RemediationPreview } from '@/lib/remediation/queries'

/** "You are about to revoke 37 credentials; 4 were used in the last 7 days." */
export function PreviewText({ p, noun }: { p: RemediationPreview; noun: string }) {
  const todo = p.total - p.alreadyRevoked - p.alreadyPending
  return (
    <div className="space-y-1">
      <p className="font-medium text-slate-900">
        You are about to revoke {countOf(todo, noun)}
        {p.recentlyUsed ? (
          <>
            ;{' '}
            <span className="text-rose-700">
              {p.recentlyUsed} {p.recentlyUsed === 1 ? 'was' : 'were'} used in the last 7 days
            </span>
          </>
        ) : null}
        .
      </p>
      {p.privileged ? (
        <p>
          {p.privileged} {p.privileged === 1 ? 'is' : 'are'} privileged.
        </p>
      ) : null}
      {p.alreadyPending ? <p className="text-slate-500">{p.alreadyPending} already pending (skipped).</p> : null}
      {p.alreadyRevoked ? <p className="text-slate-500">{p.alreadyRevoked} already revoked (skipped).</p> : null}
      {p.byMode.manual ? <p className="text-amber-800">{p.byMode.manual} will become manual tasks (the source cannot be acted on automatically).</p> : null}
      {p.byMode.simulated ? <p className="text-violet-700">Demo source: {p.byMode.simulated} will be simulated; nothing changes outside Custodian.</p> : null}
    </div>
  )
}
