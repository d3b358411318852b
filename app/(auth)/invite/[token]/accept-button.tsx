'use client'
import { useRouter } from 'next/navigation'
import { useState, useTransition } from 'react'
import { Button } from '@/components/ui/button'
import { acceptInvitationAction } from './actions'

export function AcceptButton({ token, orgName }: { token: string; orgName: string }) {
  const router = useRouter()
  const [pending, start] = useTransition()
  const [error, setError] = useState<string | null>(null)
  return (
    <div className="space-y-3">
      <Button
        className="w-full"
        disabled={pending}
        onClick={() =>
          start(async () => {
            setError(null)
            const r = await acceptInvitationAction({ token })
            if (!r.ok) return setError(r.error)
            router.push(r.data.role === 'member' ? `/${r.data.orgSlug}/my` : `/${r.data.orgSlug}`)
          })
        }
      >
        {pending ? 'Joining…' : `Join ${orgName}`}
      </Button>
      {error ? <p className="rounded-md bg-rose-50 px-3 py-2 text-sm text-rose-700" role="status" data-testid="invite-error">{error}</p> : null}
    </div>
  )
}
