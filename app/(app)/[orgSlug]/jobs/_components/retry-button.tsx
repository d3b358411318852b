'use client'
import { Button } from '@/components/ui/button'
import { useOrgAction } from '@/components/ui/use-org-action'
import { retryJobAction } from '@/lib/remediation/actions'
import { StatusText } from '@/components/ui/status-text'

export function RetryButton({ orgSlug, jobId }: { orgSlug: string; jobId: string }) {
  const retry = useOrgAction(retryJobAction)
  return (
    <span className="inline-flex items-center gap-2">
      <StatusText className="text-xs text-rose-700">{retry.error}</StatusText>
      <Button size="sm" variant="secondary" disabled={retry.pending} onClick={() => retry.run({ orgSlug, jobId })}>
        {retry.pending ? 'Retrying…' : 'Retry'}
      </Button>
    </span>
  )
}
