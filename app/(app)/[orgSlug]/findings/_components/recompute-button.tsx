'use client'
import { useRouter } from 'next/navigation'
import { useState, useTransition } from 'react'
import { Button } from '@/components/ui/button'
import { recomputeFindingsAction } from '@/lib/findings/actions'

export function RecomputeButton({ orgSlug }: { orgSlug: string }) {
  const router = useRouter()
  const [pending, start] = useTransition()
  const [message, setMessage] = useState<string | null>(null)
  return (
    <div className="flex items-center gap-3">
      {message ? <span className="text-sm text-slate-600" role="status">{message}</span> : null}
      <Button
        disabled={pending}
        onClick={() =>
          start(async () => {
            const r = await recomputeFindingsAction({ orgSlug })
            setMessage(r.ok ? 'Recompute queued; progress shows below.' : r.error)
            router.refresh()
          })
        }
      >
        {pending ? 'Queuing…' : 'Recompute findings'}
      </Button>
    </div>
  )
}
