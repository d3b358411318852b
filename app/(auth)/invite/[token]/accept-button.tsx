'use client'
import { useRouter } from 'next/navigation'
import { Button } from '@/components/ui/button'
import { useOrgAction } from '@/components/ui/use-org-action'
import { acceptInvitationAction } from '@/lib/members/actions'
import { StatusText } from '@/components/ui/status-text'

export function AcceptButton({ token, orgName }: { token: string; orgName: string }) {
  const router = useRouter()
  const accept = useOrgAction(acceptInvitationAction, {
    refresh: false,
    onSuccess: (r) => router.push(r.role === 'member' ? `/${r.orgSlug}/my` : `/${r.orgSlug}`),
  })
  return (
    <div className="space-y-3">
      <Button className="w-full" disabled={accept.pending} onClick={() => accept.run({ token })}>
        {accept.pending ? 'Joining…' : `Join ${orgName}`}
      </Button>
      <StatusText className="rounded-md bg-rose-50 px-3 py-2 text-sm text-rose-700" as="p" testId="invite-error">
        {accept.error}
      </StatusText>
    </div>
  )
}
