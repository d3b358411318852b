import type { Metadata } from 'next'
import Link from 'next/link'
import { redirect } from 'next/navigation'
import { SignOutButton } from '@/components/shell/sign-out-button'
import { formatDate } from '@/components/ui/format'
import { getCurrentUser } from '@/lib/auth/session'
import { unsafeReadInvitation } from '@/lib/members/invitations'
import { AcceptButton } from './accept-button'

export const metadata: Metadata = { title: 'Invitation' }
export const dynamic = 'force-dynamic'

export default async function InvitePage({ params }: { params: Promise<{ token: string }> }) {
  const { token } = await params
  const user = await getCurrentUser()
  if (!user) redirect(`/sign-in?callbackUrl=${encodeURIComponent(`/invite/${token}`)}`)
  const inv = await unsafeReadInvitation(token, user)

  let body: React.ReactNode
  if (!inv) {
    body = (
      <Refusal title="This invitation link is not valid">Check that you copied the whole link, or ask an admin of your organization for a new one.</Refusal>
    )
  } else if (inv.acceptedByYou) {
    body = (
      <Refusal title={`You are a member of ${inv.org.name}`} tone="ok">
        <Link href={`/${inv.org.slug}`} className="font-medium text-indigo-700 hover:underline">
          Open {inv.org.name} →
        </Link>
      </Refusal>
    )
  } else if (inv.state === 'accepted') {
    body = (
      <Refusal title="This invitation was already used">
        Each link works once. Ask an admin of {inv.org.name} for a new invitation if you still need one.
      </Refusal>
    )
  } else if (inv.state === 'revoked') {
    body = <Refusal title="This invitation was revoked">An admin of {inv.org.name} withdrew it. Ask them for a new one if you still need access.</Refusal>
  } else if (inv.state === 'expired') {
    body = (
      <Refusal title="This invitation has expired">
        It expired on {formatDate(inv.expiresAt)}. Ask an admin of {inv.org.name} to re-send it.
      </Refusal>
    )
  } else if (!inv.emailMatches) {
    body = (
      <Refusal title="This invitation is for someone else">
        It was sent to <strong>{inv.email}</strong>, but you are signed in as <strong>{user.email}</strong>. Sign out, then sign in with the invited address.
        <div className="mt-3">
          <SignOutButton />
        </div>
      </Refusal>
    )
  } else if (inv.alreadyMember) {
    body = (
      <Refusal title={`You are already a member of ${inv.org.name}`} tone="ok">
        <Link href={`/${inv.org.slug}`} className="font-medium text-indigo-700 hover:underline">
          Open {inv.org.name} →
        </Link>
      </Refusal>
    )
  } else {
    body = (
      <div className="space-y-4">
        <p className="text-sm text-slate-700">
          {inv.invitedBy ?? 'An admin'} invited <strong>{user.email}</strong> to join <strong>{inv.org.name}</strong> as{' '}
          <strong data-testid="invite-role">{inv.role}</strong>.
        </p>
        <p className="text-xs text-slate-500">
          The invitation expires on {formatDate(inv.expiresAt)}. Joining is recorded in the organization&apos;s audit log.
        </p>
        <AcceptButton token={token} orgName={inv.org.name} />
      </div>
    )
  }

  return (
    <main className="flex min-h-screen items-center justify-center bg-gradient-to-b from-slate-50 to-slate-100 px-4 py-12">
      <div className="w-full max-w-md">
        <div className="mb-6 text-center">
          <div className="mx-auto mb-3 flex h-11 w-11 items-center justify-center rounded-xl bg-indigo-600 text-lg font-bold text-white">C</div>
          <h1 className="text-2xl font-semibold tracking-tight">
            {inv && inv.state === 'pending' && inv.emailMatches && !inv.alreadyMember ? `Join ${inv.org.name}` : 'Invitation'}
          </h1>
        </div>
        <div className="rounded-xl border border-slate-200 bg-white p-6 shadow-sm" data-testid="invitation">
          {body}
        </div>
        <p className="mt-4 text-center text-xs text-slate-500">Signed in as {user.email}</p>
      </div>
    </main>
  )
}

function Refusal({ title, tone = 'stop', children }: { title: string; tone?: 'stop' | 'ok'; children: React.ReactNode }) {
  return (
    <div role="status">
      <h2 className={`text-base font-semibold ${tone === 'ok' ? 'text-slate-900' : 'text-rose-700'}`}>{title}</h2>
      <div className="mt-2 text-sm text-slate-600">{children}</div>
    </div>
  )
}
