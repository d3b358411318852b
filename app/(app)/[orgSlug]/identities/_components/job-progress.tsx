'use client'
import { useRouter } from 'next/navigation'
import { useEffect, useRef, useState } from 'react'
import { formatNumber } from '@/components/ui/format'
import { bulkJobStatusAction } from '@/lib/ownership/actions'

type Status = { status: string; progress: number; total: number; result: Record<string, unknown>; lastError: string | null }

/** Polls a bulk_assign job once a second until it finishes, then refreshes the page's data. */
export function JobProgress({ jobId, ...props }: { orgSlug: string; jobId: string | null; onDone?: () => void; className?: string }) {
  return jobId ? <Progress jobId={jobId} {...props} /> : null
}

function Progress({ orgSlug, jobId, onDone, className = '' }: { orgSlug: string; jobId: string; onDone?: () => void; className?: string }) {
  const router = useRouter()
  const [s, setS] = useState<Status | null>(null)
  const [error, setError] = useState<string | null>(null)
  const onDoneRef = useRef(onDone)
  useEffect(() => {
    onDoneRef.current = onDone
  })
  useEffect(() => {
    let stop = false
    let timer: ReturnType<typeof setTimeout>
    const tick = async () => {
      const r = await bulkJobStatusAction({ orgSlug, jobId })
      if (stop) return
      if (!r.ok) {
        setError(r.error)
        return
      }
      setS(r.data)
      if (r.data.status === 'succeeded' || r.data.status === 'failed' || r.data.status === 'canceled') {
        router.refresh()
        onDoneRef.current?.()
        return
      }
      timer = setTimeout(tick, 1000)
    }
    tick()
    return () => {
      stop = true
      clearTimeout(timer)
    }
  }, [orgSlug, jobId, router])
  if (error) return <p className={`text-sm text-rose-700 ${className}`}>{error}</p>
  const pct = s && s.total > 0 ? Math.min(100, Math.round((s.progress / s.total) * 100)) : 0
  const changed = typeof s?.result?.changed === 'number' ? s.result.changed : null
  return (
    <div className={`space-y-1.5 ${className}`} role="status" aria-live="polite" data-testid="job-progress">
      <div className="h-2 w-full overflow-hidden rounded-full bg-slate-200">
        <div
          className={`h-full ${s?.status === 'failed' ? 'bg-rose-500' : 'bg-indigo-600'} transition-all`}
          style={{ width: `${s?.status === 'succeeded' ? 100 : pct}%` }}
        />
      </div>
      <p className="text-xs text-slate-600">
        {!s
          ? 'Starting…'
          : s.status === 'succeeded'
            ? `Done: ${formatNumber(changed ?? 0)} identities changed (${formatNumber(s.progress)} checked).`
            : s.status === 'failed'
              ? `Failed: ${s.lastError ?? 'unknown error'}. Nothing after the last completed batch was changed.`
              : s.status === 'retrying'
                ? `Retrying after an error (${formatNumber(s.progress)} of ${formatNumber(s.total)} done): ${s.lastError ?? ''}`
                : `${s.status === 'queued' ? 'Queued' : 'Working'}: ${formatNumber(s.progress)} of ${formatNumber(s.total)} checked…`}
      </p>
    </div>
  )
}
