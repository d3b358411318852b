'use client'
import { Button } from '@/components/ui/button'
import { useOrgAction } from '@/components/ui/use-org-action'
import { requestSyncAction } from '@/lib/sources/actions'

export function SyncNowButton({ orgSlug, sourceId, busy }: { orgSlug: string; sourceId: string; busy: boolean }) {
  const sync = useOrgAction(requestSyncAction, { refresh: 'always' })
  return (
    <span className="inline-flex items-center gap-2">
      {sync.error ? <span className="text-xs text-rose-700">{sync.error}</span> : null}
      <Button size="sm" variant="secondary" disabled={sync.pending || busy} onClick={() => sync.run({ orgSlug, sourceId })}>
        {sync.pending ? 'Queuing…' : busy ? 'Syncing…' : 'Sync now'}
      </Button>
    </span>
  )
}
