'use client'
import { useRouter } from 'next/navigation'
import { useState, useTransition } from 'react'
import { Button } from '@/components/ui/button'
import { ROLE_LABELS, ROLES } from '@/lib/auth/permissions'
import { inviteMemberAction } from '@/lib/members/actions'
import { InvitationLink } from './invitation-link'

const field = 'mt-1 block w-full rounded-md border border-slate-300 bg-white px-2.5 py-1.5 text-sm focus:border-indigo-500 focus:outline-none focus:ring-2 focus:ring-indigo-500/30'

type Created = { path: string; email: string; expiresAt: string; emailed: boolean }

export function InviteForm({ orgSlug }: { orgSlug: string }) {
  const router = useRouter()
  const [pending, start] = useTransition()
  const [email, setEmail] = useState('')
  const [role, setRole] = useState<string>('member')
  const [errors, setErrors] = useState<Record<string, string[]>>({})
  const [error, setError] = useState<string | null>(null)
  const [created, setCreated] = useState<Created | null>(null)
  return (
    <div className="space-y-3">
      <form
        noValidate
        className="flex flex-wrap items-end gap-3"
        aria-label="Invite a person"
        onSubmit={(e) => {
          e.preventDefault()
          start(async () => {
            setError(null)
            const r = await inviteMemberAction({ orgSlug, email, role })
            if (!r.ok) {
              setErrors(r.fieldErrors ?? {})
              setError(r.fieldErrors ? null : r.error)
              return
            }
            setErrors({})
            setEmail('')
            setCreated(r.data)
            router.refresh()
          })
        }}
      >
        <label className="block min-w-64 flex-1">
          <span className="text-sm font-medium text-slate-700">E-mail</span>
          <input
            type="email"
            name="email"
            value={email}
            onChange={(e) => setEmail(e.target.value)}
            placeholder="jane@example.com"
            autoComplete="off"
            aria-invalid={errors.email ? true : undefined}
            aria-describedby={errors.email ? 'invite-email-error' : undefined}
            className={`${field} ${errors.email ? 'border-rose-400' : ''}`}
          />
          {errors.email ? <span id="invite-email-error" className="mt-1 block text-xs font-medium text-rose-700">{errors.email.join(' ')}</span> : null}
        </label>
        <label className="block w-48">
          <span className="text-sm font-medium text-slate-700">Role</span>
          <select name="role" value={role} onChange={(e) => setRole(e.target.value)} className={field}>
            {ROLES.map((r) => <option key={r} value={r}>{ROLE_LABELS[r]}</option>)}
          </select>
        </label>
        <Button type="submit" disabled={pending}>{pending ? 'Inviting…' : 'Invite'}</Button>
      </form>
      {error ? <p className="rounded-md bg-rose-50 px-3 py-2 text-sm text-rose-800 ring-1 ring-rose-200" role="status" data-testid="invite-error">{error}</p> : null}
      {created ? <InvitationLink {...created} onDone={() => setCreated(null)} /> : null}
    </div>
  )
}
