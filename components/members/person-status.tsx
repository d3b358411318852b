import { Badge } from '@/components/ui/badge'
import type { PersonStatus } from '@/lib/members/person'

const TEXT: Record<Exclude<PersonStatus, 'active'>, { label: string; help: string }> = {
  deactivated: { label: 'deactivated', help: 'This person was deactivated: they can no longer sign in or act as an owner.' },
  left: { label: 'left', help: 'This person is no longer a member of this organization.' },
}

/** The one marker for a person who is gone, wherever an owner or reviewer is named. */
export function PersonStatusBadge({ status }: { status: PersonStatus | null | undefined }) {
  if (!status || status === 'active') return null
  return (
    <span data-testid="person-status" data-status={status} className="ml-1 inline-flex">
      <Badge tone="amber" title={TEXT[status].help}>
        {TEXT[status].label}
      </Badge>
    </span>
  )
}

export function PersonName({ name, status }: { name: string; status: PersonStatus | null | undefined }) {
  return (
    <span className={status && status !== 'active' ? 'text-slate-500' : undefined}>
      {name}
      <PersonStatusBadge status={status} />
    </span>
  )
}
