import type { Metadata } from 'next'
import { signInDemoAction, signInOidcAction } from '@/lib/auth/actions'
import { ROLE_LABELS, isRole } from '@/lib/auth/permissions'
import { unsafeListDemoPeople } from '@/lib/auth/queries'
import { env } from '@/lib/env'
import { StatusText } from '@/components/ui/status-text'

export const metadata: Metadata = { title: 'Sign in' }
export const dynamic = 'force-dynamic'

const ERRORS: Record<string, string> = {
  CredentialsSignin: 'That person is not a demo user, or is deactivated. Demo sign-in only accepts the demo people listed here.',
  Deactivated: 'Your account has been deactivated. Ask an admin of your organization.',
  NoEmail: 'Your identity provider did not share an e-mail address, which Custodian needs to match you to your organization.',
  NoSubject: 'Your identity provider did not say who you are (no subject). Check the AUTH_OIDC_* settings.',
  EmailUnverified:
    'Your identity provider has not verified your e-mail address, so Custodian cannot match you to your account. Verify the address with your identity provider and sign in again.',
  SubjectMismatch:
    'Your Custodian account is already linked to a different single sign-on identity. Sign in with that identity, or ask whoever runs Custodian to remove the old link.',
  Configuration: 'Single sign-on is not configured correctly. Check the AUTH_OIDC_* settings.',
  DemoDisabled: 'Demo sign-in is switched off on this server.',
  AccessDenied: 'Sign-in was refused.',
}

export default async function SignInPage({ searchParams }: { searchParams: Promise<Record<string, string | undefined>> }) {
  const sp = await searchParams
  const { demo, oidc } = env()
  const users = demo ? await unsafeListDemoPeople().catch(() => []) : []
  const error = sp.error ? (ERRORS[sp.error] ?? 'Sign-in failed. Try again.') : null
  const callbackUrl = sp.callbackUrl ?? '/'
  return (
    <main className="flex min-h-screen items-center justify-center bg-gradient-to-b from-slate-50 to-slate-100 px-4 py-12">
      <div className="w-full max-w-md">
        <div className="mb-6 text-center">
          <div className="mx-auto mb-3 flex h-11 w-11 items-center justify-center rounded-xl bg-indigo-600 text-lg font-bold text-white">C</div>
          <h1 className="text-2xl font-semibold tracking-tight">Sign in to Custodian</h1>
          <p className="mt-1 text-sm text-slate-500">Governance for service accounts, keys, tokens, bots and agents.</p>
        </div>
        <div className="space-y-4 rounded-xl border border-slate-200 bg-white p-6 shadow-sm">
          <StatusText className="rounded-md bg-rose-50 px-3 py-2 text-sm text-rose-700" as="p">
            {error}
          </StatusText>
          {oidc ? (
            <form action={signInOidcAction}>
              <input type="hidden" name="callbackUrl" value={callbackUrl} />
              <button className="w-full rounded-md bg-indigo-600 px-4 py-2.5 text-sm font-semibold text-white shadow-sm hover:bg-indigo-500">
                Continue with {oidc.name}
              </button>
            </form>
          ) : (
            !demo && (
              <p className="text-sm text-slate-600">No sign-in method is configured. Set AUTH_OIDC_ISSUER, AUTH_OIDC_CLIENT_ID and AUTH_OIDC_CLIENT_SECRET.</p>
            )
          )}
          {demo ? (
            <section aria-labelledby="demo-heading" className={oidc ? 'border-t border-slate-100 pt-4' : ''}>
              <div className="mb-3 flex items-center gap-2">
                <h2 id="demo-heading" className="text-sm font-semibold">
                  Demo sign-in
                </h2>
                <span className="rounded-full bg-amber-100 px-2 py-0.5 text-xs font-medium text-amber-800">demo mode — not for production</span>
              </div>
              {users.length === 0 ? (
                <p className="text-sm text-slate-500">
                  No demo users yet. Run <code className="rounded bg-slate-100 px-1">npm run seed -- --reset</code>.
                </p>
              ) : (
                <ul className="space-y-2">
                  {users.map((m) => (
                    <li key={`${m.org.slug}-${m.user.email}`}>
                      <form action={signInDemoAction}>
                        <input type="hidden" name="email" value={m.user.email} />
                        <input type="hidden" name="callbackUrl" value={callbackUrl} />
                        <button className="flex w-full items-center justify-between rounded-md border border-slate-200 px-3 py-2 text-left text-sm hover:border-indigo-300 hover:bg-indigo-50 focus-visible:outline-none focus-visible:ring-2 focus-visible:ring-indigo-500">
                          <span>
                            <span className="font-medium text-slate-900">{m.user.name}</span>
                            <span className="block text-xs text-slate-500">
                              {m.user.email} · {m.org.name}
                            </span>
                          </span>
                          <span className="text-xs font-medium text-indigo-700">{isRole(m.role) ? ROLE_LABELS[m.role] : m.role}</span>
                        </button>
                      </form>
                    </li>
                  ))}
                </ul>
              )}
            </section>
          ) : null}
        </div>
      </div>
    </main>
  )
}
