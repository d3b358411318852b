'use client'
import { useRouter } from 'next/navigation'
import { useState, useTransition } from 'react'
import { Button } from '@/components/ui/button'
import { retryJobAction } from '@/lib/remediation/actions'

export function RetryButton({ orgSlug, jobId }: { orgSlug: string; jobId: string }) {
  const router = useRouter()
  const [pending, start] = useTransition()
  const [error, setError] = useState<string | null>(null)
  return (
    <span className="inline-flex items-center gap-2">
      {error ? <span className="text-xs text-rose-700" role="status">{error}</span> : null}
      <Button size="sm" variant="secondary" disabled={pending} onClick={() => start(async () => {
        const r = await retryJobAction({ orgSlug, jobId })
        if (r.ok) router.refresh()
        else setError(r.error)
      })}>{pending ? 'Retrying…' : 'Retry'}</Button>
    </span>
  )
}
