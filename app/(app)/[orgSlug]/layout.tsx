import Link from 'next/link'
import { notFound, redirect } from 'next/navigation'
import { NavLink } from '@/components/shell/nav-link'
import { SignOutButton } from '@/components/shell/sign-out-button'
import { requireOrgContext, listMyOrgs } from '@/lib/auth/session'
import { can, ROLE_LABELS } from '@/lib/auth/permissions'
import { env } from '@/lib/env'
import { AppError } from '@/lib/errors'
import { countPendingRequests } from '@/lib/requests/queries'
import { InboxBell } from './inbox/_components/bell'

// Display only: every page and action below checks the session and role itself.
export default async function OrgLayout({ children, params }: { children: React.ReactNode; params: Promise<{ orgSlug: string }> }) {
  const { orgSlug } = await params
  const ctx = await requireOrgContext(orgSlug).catch((err) => {
    if (err instanceof AppError && err.status === 401) redirect('/sign-in')
    if (err instanceof AppError && err.status === 404) notFound()
    throw err
  })
  const [orgs, pendingRequests] = await Promise.all([listMyOrgs(ctx.user.id), countPendingRequests(ctx)])
  const base = `/${ctx.org.slug}`
  return (
    <div className="flex min-h-screen bg-slate-50">
      <aside className="sticky top-0 flex h-screen max-h-screen w-56 shrink-0 flex-col self-start bg-slate-900 px-3 py-4 text-slate-100">
        <Link href={base} className="mb-6 flex items-center gap-2 px-2">
          <span className="flex h-8 w-8 items-center justify-center rounded-lg bg-indigo-500 font-bold">C</span>
          <span className="text-base font-semibold tracking-tight">Custodian</span>
        </Link>
        {/* The links scroll inside the sidebar when they outgrow a short window; the person block stays at the bottom. */}
        <nav className="-mx-1 flex min-h-0 flex-1 flex-col gap-1 overflow-y-auto px-1 pb-2" aria-label="Main">
          <NavLink href={`${base}/my`}>My identities</NavLink>
          <NavLink href={base} exact>
            Overview
          </NavLink>
          <NavLink href={`${base}/identities`}>Identities</NavLink>
          {can(ctx.role, 'source:read') ? <NavLink href={`${base}/sources`}>Sources</NavLink> : null}
          {can(ctx.role, 'source:read') ? <NavLink href={`${base}/gateway`}>Gateway</NavLink> : null}
          {can(ctx.role, 'source:read') ? <NavLink href={`${base}/federation`}>Federation</NavLink> : null}
          {can(ctx.role, 'lease:read') ? <NavLink href={`${base}/credentials`}>Credentials</NavLink> : null}
          {can(ctx.role, 'source:read') ? <NavLink href={`${base}/policies`}>Policies</NavLink> : null}
          <NavLink href={`${base}/findings`}>Findings</NavLink>
          {can(ctx.role, 'review:decide') ? <NavLink href={`${base}/reviews`}>My reviews</NavLink> : null}
          {can(ctx.role, 'campaign:read') ? <NavLink href={`${base}/campaigns`}>Campaigns</NavLink> : null}
          {can(ctx.role, 'identity:attest') || can(ctx.role, 'audit:read') ? (
            <NavLink href={`${base}/requests`}>
              Requests
              {pendingRequests ? (
                <span className="ml-auto rounded-full bg-indigo-500 px-1.5 text-xs font-semibold text-white" data-testid="requests-waiting">
                  <span className="sr-only">, </span>
                  {pendingRequests}
                  <span className="sr-only"> waiting</span>
                </span>
              ) : null}
            </NavLink>
          ) : null}
          {can(ctx.role, 'job:read') ? <NavLink href={`${base}/jobs`}>Jobs</NavLink> : null}
          {can(ctx.role, 'audit:read') ? <NavLink href={`${base}/audit`}>Audit log</NavLink> : null}
          {can(ctx.role, 'report:export') ? <NavLink href={`${base}/reports`}>Reports</NavLink> : null}
          {can(ctx.role, 'member:manage') ? <NavLink href={`${base}/settings`}>Settings</NavLink> : null}
        </nav>
        {orgs.length > 1 ? (
          <div className="mb-3 px-2">
            <p className="mb-1 text-xs uppercase tracking-wide text-slate-400">Organizations</p>
            {orgs.map((o) => (
              <Link
                key={o.org.slug}
                href={`/${o.org.slug}`}
                className={`block rounded px-1 py-0.5 text-sm ${o.org.slug === ctx.org.slug ? 'text-white' : 'text-slate-400 hover:text-white'}`}
              >
                {o.org.name}
              </Link>
            ))}
          </div>
        ) : null}
        <div className="border-t border-slate-800 px-2 pt-3 text-xs text-slate-400">
          <p className="truncate font-medium text-slate-200" data-testid="current-user">
            {ctx.user.name}
          </p>
          <p className="truncate">
            {ctx.org.name} · {ROLE_LABELS[ctx.role]}
          </p>
        </div>
      </aside>
      <div className="flex min-w-0 flex-1 flex-col">
        {env().demo ? (
          <p data-testid="demo-banner" className="border-b border-amber-200 bg-amber-50 px-6 py-1.5 text-center text-xs text-amber-900">
            <span className="font-semibold">Demo mode</span> — the demo people sign in without a password, and demo sources only simulate changes. Do not use it
            with real data.
          </p>
        ) : null}
        <header className="flex h-12 items-center justify-between border-b border-slate-200 bg-white px-6">
          <p className="text-sm text-slate-500">{ctx.org.name}</p>
          <div className="flex items-center gap-4">
            <InboxBell ctx={ctx} />
            <span className="text-sm text-slate-600">{ctx.user.email}</span>
            <SignOutButton />
          </div>
        </header>
        <main className="min-w-0 flex-1 px-6 py-6">{children}</main>
      </div>
    </div>
  )
}
