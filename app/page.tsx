import { redirect } from 'next/navigation'
import { getCurrentUser, listMyOrgs } from '@/lib/auth/session'
import { SignOutButton } from '@/components/shell/sign-out-button'

export const dynamic = 'force-dynamic'

export default async function Home() {
  const user = await getCurrentUser()
  if (!user) redirect('/sign-in')
  const orgs = await listMyOrgs(user.id)
  if (orgs.length > 0) {
    const first = orgs[0]
    redirect(first.role === 'member' ? `/${first.org.slug}/my` : `/${first.org.slug}`)
  }
  return (
    <main className="mx-auto mt-24 max-w-md rounded-lg border border-slate-200 bg-white p-6 text-center shadow-sm">
      <h1 className="text-lg font-semibold">You are not a member of any organization yet</h1>
      <p className="mt-2 text-sm text-slate-600">Signed in as {user.email}. Ask an admin of your organization to add you.</p>
      <div className="mt-4">
        <SignOutButton />
      </div>
    </main>
  )
}
