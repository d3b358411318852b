'use client'
import { useState } from 'react'
import { Button } from '@/components/ui/button'
import { Field, Input } from '@/components/ui/field'
import { Select } from '@/components/ui/select'
import { submitted, useOrgAction } from '@/components/ui/use-org-action'
import { ROLE_LABELS, ROLES, type Role } from '@/lib/auth/permissions'
import { inviteMemberAction } from '@/lib/members/actions'
import { InvitationLink } from './invitation-link'

const ROLE_OPTIONS = ROLES.map((r) => ({ value: r, label: ROLE_LABELS[r] }))

export function InviteForm({ orgSlug }: { orgSlug: string }) {
  const [email, setEmail] = useState('')
  const [role, setRole] = useState<Role>('member')
  const invite = useOrgAction(inviteMemberAction, { onSuccess: () => setEmail('') })
  const created = invite.result?.ok ? invite.result.data : null
  const hasFieldErrors = Object.keys(invite.fieldErrors).length > 0
  return (
    <div className="space-y-3">
      <form noValidate className="flex flex-wrap items-end gap-3" aria-label="Invite a person" onSubmit={submitted(() => invite.run({ orgSlug, email, role }))}>
        <Field label="E-mail" error={invite.fieldErrors.email} className="min-w-64 flex-1">
          <Input type="email" name="email" value={email} onChange={(e) => setEmail(e.target.value)} placeholder="jane@example.com" autoComplete="off" />
        </Field>
        <Field label="Role" className="w-48">
          <Select name="role" value={role} onChange={(e) => setRole(e.target.value as Role)} options={ROLE_OPTIONS} />
        </Field>
        <Button type="submit" disabled={invite.pending}>
          {invite.pending ? 'Inviting…' : 'Invite'}
        </Button>
      </form>
      {invite.error && !hasFieldErrors ? (
        <p className="rounded-md bg-rose-50 px-3 py-2 text-sm text-rose-800 ring-1 ring-rose-200" role="status" data-testid="invite-error">
          {invite.error}
        </p>
      ) : null}
      {created ? <InvitationLink {...created} onDone={invite.reset} /> : null}
    </div>
  )
}
