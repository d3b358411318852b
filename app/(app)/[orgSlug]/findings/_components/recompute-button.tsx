'use client'
import { Button } from '@/components/ui/button'
import { useOrgAction } from '@/components/ui/use-org-action'
import { recomputeFindingsAction } from '@/lib/findings/actions'
import { StatusText } from '@/components/ui/status-text'

export function RecomputeButton({ orgSlug }: { orgSlug: string }) {
  const recompute = useOrgAction(recomputeFindingsAction, { refresh: 'always' })
  const message = recompute.result && (recompute.result.ok ? 'Recompute queued; progress shows below.' : recompute.result.error)
  return (
    <div className="flex items-center gap-3">
      <StatusText className="text-sm text-slate-600">{message}</StatusText>
      <Button disabled={recompute.pending} onClick={() => recompute.run({ orgSlug })}>
        {recompute.pending ? 'Queuing…' : 'Recompute findings'}
      </Button>
    </div>
  )
}
