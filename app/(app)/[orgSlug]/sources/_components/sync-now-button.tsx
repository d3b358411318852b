'use client'
import { useRouter } from 'next/navigation'
import { useState, useTransition } from 'react'
import { Button } from '@/components/ui/button'
import { requestSyncAction } from '@/lib/sources/actions'

export function SyncNowButton({ orgSlug, sourceId, busy }: { orgSlug: string; sourceId: string; busy: boolean }) {
  const [pending, start] = useTransition()
  const [error, setError] = useState<string | null>(null)
  const router = useRouter()
  return (
    <span className="inline-flex items-center gap-2">
      {error ? <span className="text-xs text-rose-700">{error}</span> : null}
      <Button
        size="sm"
        variant="secondary"
        disabled={pending || busy}
        onClick={() =>
          start(async () => {
            const r = await requestSyncAction({ orgSlug, sourceId })
            setError(r.ok ? null : r.error)
            router.refresh()
          })
        }
      >
        {pending ? 'Queuing…' : busy ? 'Syncing…' : 'Sync now'}
      </Button>
    </span>
  )
}
