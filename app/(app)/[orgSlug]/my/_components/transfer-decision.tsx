'use client'
import { useRouter } from 'next/navigation'
import { useState } from 'react'
import { Button } from '@/components/ui/button'
import { decideTransferAction } from '@/lib/ownership/actions'

export function TransferDecision({ orgSlug, transferId, identityName }: { orgSlug: string; transferId: string; identityName: string }) {
  const router = useRouter()
  const [busy, setBusy] = useState(false)
  const [error, setError] = useState<string | null>(null)
  const decide = async (accept: boolean) => {
    setBusy(true)
    setError(null)
    const r = await decideTransferAction({ orgSlug, transferId, accept })
    setBusy(false)
    if (!r.ok) return setError(r.error)
    router.refresh()
  }
  return (
    <span className="flex items-center gap-2">
      {error ? <span className="text-xs text-rose-700">{error}</span> : null}
      <Button size="sm" onClick={() => decide(true)} disabled={busy} aria-label={`Accept ${identityName}`}>Accept</Button>
      <Button size="sm" variant="secondary" onClick={() => decide(false)} disabled={busy} aria-label={`Decline ${identityName}`}>Decline</Button>
    </span>
  )
}
