import type { Metadata } from 'next'
import Link from 'next/link'
import { Badge } from '@/components/ui/badge'
import { Card } from '@/components/ui/card'
import { Forbidden } from '@/components/ui/forbidden'
import { formatDate, formatNumber } from '@/components/ui/format'
import { PageHeader } from '@/components/ui/page-header'
import { pageAllows, pageContext } from '@/lib/auth/page'
import { ROLE_LABELS, isRole } from '@/lib/auth/permissions'
import { listMembers } from '@/lib/members/queries'
import { MemberActions } from './_components/member-actions'

export const metadata: Metadata = { title: 'Settings' }

export default async function SettingsPage({ params }: { params: Promise<{ orgSlug: string }> }) {
  const { orgSlug } = await params
  const ctx = await pageContext(orgSlug)
  if (!(await pageAllows(ctx, 'member:manage', 'settings'))) return <Forbidden orgSlug={ctx.org.slug} what="organization settings" />
  const members = await listMembers(ctx)
  return (
    <>
      <PageHeader title="Settings" description="People and roles in this organization." actions={<Link href={`/${ctx.org.slug}/settings/posture`} className="text-sm font-medium text-indigo-700 hover:underline">Posture thresholds →</Link>} />
      <Card title={`Members (${members.length})`}>
        <table className="min-w-full text-sm" data-testid="members">
          <thead className="text-left text-xs uppercase tracking-wide text-slate-500">
            <tr><th scope="col" className="py-2 pr-4">Name</th><th scope="col" className="pr-4">E-mail</th><th scope="col" className="pr-4">Role</th><th scope="col" className="pr-4">Since</th><th scope="col" className="pr-4">Owns</th><th scope="col"><span className="sr-only">Actions</span></th></tr>
          </thead>
          <tbody className="divide-y divide-slate-100">
            {members.map((m) => (
              <tr key={m.id}>
                <td className="py-2 pr-4 font-medium">{m.user.name} {!m.user.active ? <Badge tone="amber">deactivated</Badge> : null}</td>
                <td className="pr-4 text-slate-600">{m.user.email}</td>
                <td className="pr-4">{isRole(m.role) ? ROLE_LABELS[m.role] : m.role}</td>
                <td className="pr-4">{formatDate(m.createdAt)}</td>
                <td className="pr-4 tabular-nums">
                  {m.owned ? <Link className="text-indigo-700 hover:underline" href={`/${ctx.org.slug}/identities?owner=${m.user.id}`}>{formatNumber(m.owned)} {m.owned === 1 ? 'identity' : 'identities'}</Link> : <span className="text-slate-400">none</span>}
                </td>
                <td>{m.user.id !== ctx.user.id ? <MemberActions orgSlug={ctx.org.slug} userId={m.user.id} name={m.user.name} owned={m.owned} active={m.user.active} /> : null}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </Card>
    </>
  )
}
