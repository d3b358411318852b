'use client'
import { Button } from '@/components/ui/button'
import { useOrgAction } from '@/components/ui/use-org-action'
import { retryJobAction } from '@/lib/remediation/actions'

export function RetryButton({ orgSlug, jobId }: { orgSlug: string; jobId: string }) {
  const retry = useOrgAction(retryJobAction)
  return (
    <span className="inline-flex items-center gap-2">
      {retry.error ? (
        <span className="text-xs text-rose-700" role="status">
          {retry.error}
        </span>
      ) : null}
      <Button size="sm" variant="secondary" disabled={retry.pending} onClick={() => retry.run({ orgSlug, jobId })}>
        {retry.pending ? 'Retrying…' : 'Retry'}
      </Button>
    </span>
  )
}
