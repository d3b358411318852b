'use client'
import { useRouter } from 'next/navigation'
import { useEffect, useRef } from 'react'
import { remediationStatusAction } from '@/lib/remediation/actions'

/** While a remediation is pending, polls its job and re-renders the page when anything changes. */
export function RemediationPoller({ orgSlug, identityId, active }: { orgSlug: string; identityId: string; active: boolean }) {
  const router = useRouter()
  const last = useRef<string | null>(null)
  useEffect(() => {
    if (!active) return
    let stop = false
    const tick = async () => {
      const r = await remediationStatusAction({ orgSlug, identityId }).catch(() => null)
      if (stop || !r || !r.ok) return
      if (last.current !== null && last.current !== r.data.statuses) router.refresh()
      last.current = r.data.statuses
      if (!r.data.active) router.refresh()
    }
    const t = setInterval(tick, 1500)
    void tick()
    return () => {
      stop = true
      clearInterval(t)
    }
  }, [active, orgSlug, identityId, router])
  return active ? (
    <span className="sr-only" role="status">
      A remediation is running; this page updates by itself.
    </span>
  ) : null
}
