'use client'
import { useRouter } from 'next/navigation'
import { useState } from 'react'
import { Button } from '@/components/ui/button'
import { markNotificationsReadAction } from '@/lib/notifications/actions'

export function MarkRead({ orgSlug, ids, label }: { orgSlug: string; ids?: string[]; label: string }) {
  const router = useRouter()
  const [busy, setBusy] = useState(false)
  return (
    <Button
      size="sm"
      variant={ids ? 'ghost' : 'secondary'}
      disabled={busy}
      onClick={async () => {
        setBusy(true)
        const r = await markNotificationsReadAction({ orgSlug, ids })
        setBusy(false)
        if (r.ok) router.refresh()
      }}
    >
      {label}
    </Button>
  )
}
