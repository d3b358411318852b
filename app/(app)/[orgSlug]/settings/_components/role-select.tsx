'use client'
import { useRouter } from 'next/navigation'
import { useState, useTransition } from 'react'
import { Button } from '@/components/ui/button'
import { ROLE_LABELS, ROLES, type Role } from '@/lib/auth/permissions'
import { changeMemberRoleAction } from '@/lib/members/actions'
import { ErrorText, Modal } from '../../identities/_components/modal'

/** Changes a member's role after a confirmation; the organization always keeps an admin. */
export function RoleSelect({ orgSlug, userId, name, role, self }: { orgSlug: string; userId: string; name: string; role: Role; self: boolean }) {
  const router = useRouter()
  const [pending, start] = useTransition()
  const [next, setNext] = useState<Role | null>(null)
  const [error, setError] = useState<string | null>(null)
  return (
    <>
      <label className="sr-only" htmlFor={`role-${userId}`}>Role of {name}</label>
      <select
        id={`role-${userId}`}
        value={role}
        onChange={(e) => {
          setError(null)
          setNext(e.target.value as Role)
        }}
        className="rounded-md border border-slate-300 bg-white py-1 pl-2 pr-7 text-sm"
      >
        {ROLES.map((r) => <option key={r} value={r}>{ROLE_LABELS[r]}</option>)}
      </select>
      <Modal
        open={next !== null}
        onClose={() => setNext(null)}
        title={self ? 'Change your own role?' : `Change ${name}'s role?`}
        footer={
          <>
            <Button variant="secondary" onClick={() => setNext(null)}>Cancel</Button>
            <Button
              disabled={pending}
              onClick={() =>
                start(async () => {
                  if (!next) return
                  const r = await changeMemberRoleAction({ orgSlug, userId, role: next })
                  if (!r.ok) return setError(r.error)
                  setNext(null)
                  router.refresh()
                })
              }
            >
              {pending ? 'Changing…' : 'Change role'}
            </Button>
          </>
        }
      >
        <p>
          {self ? 'Your' : `${name}'s`} role changes from <strong>{ROLE_LABELS[role]}</strong> to <strong>{next ? ROLE_LABELS[next] : ''}</strong>, effective on the next page they open.
          {self && role === 'admin' && next !== 'admin' ? ' You will lose access to these settings.' : ''} The change is recorded in the audit log.
        </p>
        <ErrorText>{error}</ErrorText>
      </Modal>
    </>
  )
}
