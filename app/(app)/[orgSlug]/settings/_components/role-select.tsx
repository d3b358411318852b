'use client'
import { useState } from 'react'
import { Dialog } from '@/components/ui/dialog'
import { FormError } from '@/components/ui/field'
import { Select } from '@/components/ui/select'
import { useOrgAction } from '@/components/ui/use-org-action'
import { ROLE_LABELS, ROLES, type Role } from '@/lib/auth/permissions'
import { changeMemberRoleAction } from '@/lib/members/actions'

const ROLE_OPTIONS = ROLES.map((r) => ({ value: r, label: ROLE_LABELS[r] }))

/** Changes a member's role after a confirmation; the organization always keeps an admin. */
export function RoleSelect({ orgSlug, userId, name, role, self }: { orgSlug: string; userId: string; name: string; role: Role; self: boolean }) {
  const [next, setNext] = useState<Role | null>(null)
  const change = useOrgAction(changeMemberRoleAction, { onSuccess: () => setNext(null) })
  return (
    <>
      <Select
        size="sm"
        aria-label={`Role of ${name}`}
        value={role}
        onChange={(e) => {
          change.reset()
          setNext(e.target.value as Role)
        }}
        options={ROLE_OPTIONS}
      />
      <Dialog
        open={next !== null}
        onClose={() => setNext(null)}
        title={self ? 'Change your own role?' : `Change ${name}'s role?`}
        confirm={{
          label: change.pending ? 'Changing…' : 'Change role',
          onClick: () => next && change.run({ orgSlug, userId, role: next }),
          disabled: change.pending,
        }}
      >
        <p>
          {self ? 'Your' : `${name}'s`} role changes from <strong>{ROLE_LABELS[role]}</strong> to <strong>{next ? ROLE_LABELS[next] : ''}</strong>, effective on
          the next page they open.
          {self && role === 'admin' && next !== 'admin' ? ' You will lose access to these settings.' : ''} The change is recorded in the audit log.
        </p>
        <FormError>{change.error}</FormError>
      </Dialog>
    </>
  )
}
