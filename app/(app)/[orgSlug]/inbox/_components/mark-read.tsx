'use client'
import { Button } from '@/components/ui/button'
import { useOrgAction } from '@/components/ui/use-org-action'
import { markNotificationsReadAction } from '@/lib/notifications/actions'

export function MarkRead({ orgSlug, ids, label }: { orgSlug: string; ids?: string[]; label: string }) {
  const mark = useOrgAction(markNotificationsReadAction)
  return (
    <Button size="sm" variant={ids ? 'ghost' : 'secondary'} disabled={mark.pending} onClick={() => mark.run({ orgSlug, ids })}>
      {label}
    </Button>
  )
}
