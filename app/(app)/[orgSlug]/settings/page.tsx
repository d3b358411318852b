import type { Metadata } from 'next'
import { Badge } from '@/components/ui/badge'
import { Card } from '@/components/ui/card'
import { Forbidden } from '@/components/ui/forbidden'
import { formatDate } from '@/components/ui/format'
import { PageHeader } from '@/components/ui/page-header'
import { pageAllows, pageContext } from '@/lib/auth/page'
import { ROLE_LABELS, isRole } from '@/lib/auth/permissions'
import { listMembers } from '@/lib/members/queries'

export const metadata: Metadata = { title: 'Settings' }

export default async function SettingsPage({ params }: { params: Promise<{ orgSlug: string }> }) {
  const { orgSlug } = await params
  const ctx = await pageContext(orgSlug)
  if (!(await pageAllows(ctx, 'member:manage', 'settings'))) return <Forbidden orgSlug={ctx.org.slug} what="organization settings" />
  const members = await listMembers(ctx)
  return (
    <>
      <PageHeader title="Settings" description="People and roles in this organization." />
      <Card title={`Members (${members.length})`}>
        <table className="min-w-full text-sm" data-testid="members">
          <thead className="text-left text-xs uppercase tracking-wide text-slate-500">
            <tr><th scope="col" className="py-2 pr-4">Name</th><th scope="col" className="pr-4">E-mail</th><th scope="col" className="pr-4">Role</th><th scope="col" className="pr-4">Since</th><th scope="col">Owns</th></tr>
          </thead>
          <tbody className="divide-y divide-slate-100">
            {members.map((m) => (
              <tr key={m.id}>
                <td className="py-2 pr-4 font-medium">{m.user.name} {!m.user.active ? <Badge tone="amber">deactivated</Badge> : null}</td>
                <td className="pr-4 text-slate-600">{m.user.email}</td>
                <td className="pr-4">{isRole(m.role) ? ROLE_LABELS[m.role] : m.role}</td>
                <td className="pr-4">{formatDate(m.createdAt)}</td>
                <td className="tabular-nums">{m.owned}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </Card>
    </>
  )
}
