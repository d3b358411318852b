import type { Metadata } from 'next'
import Link from 'next/link'
import { Badge } from '@/components/ui/badge'
import { Card } from '@/components/ui/card'
import { Forbidden } from '@/components/ui/forbidden'
import { formatAgo, formatDate, formatNumber, renderTime } from '@/components/ui/format'
import { PageHeader } from '@/components/ui/page-header'
import { pageAllows, pageContext } from '@/lib/auth/session'
import { ROLE_LABELS, can, isRole } from '@/lib/auth/permissions'
import { getOrgSettings } from '@/lib/inventory/queries'
import { listMembers, listPendingInvitations } from '@/lib/members/queries'
import { InvitationActions } from './_components/invitation-actions'
import { InviteForm } from './_components/invite-form'
import { MemberActions } from './_components/member-actions'
import { OwnerActionsSetting } from './_components/owner-actions-setting'
import { RoleSelect } from './_components/role-select'

export const metadata: Metadata = { title: 'Settings' }

export default async function SettingsPage({ params }: { params: Promise<{ orgSlug: string }> }) {
  const { orgSlug } = await params
  const ctx = await pageContext(orgSlug)
  if (!(await pageAllows(ctx, 'member:manage', 'settings'))) return <Forbidden orgSlug={ctx.org.slug} what="organization settings" />
  const [members, invitations, settings] = await Promise.all([listMembers(ctx), listPendingInvitations(ctx), getOrgSettings(ctx)])
  const now = renderTime()
  return (
    <div className="space-y-5">
      <PageHeader title="Settings" description="People, roles and what owners may do in this organization." actions={<Link href={`/${ctx.org.slug}/settings/posture`} className="text-sm font-medium text-indigo-700 hover:underline">Posture thresholds →</Link>} />
      <Card title="Invite people">
        <InviteForm orgSlug={ctx.org.slug} />
      </Card>
      {invitations.length ? (
        <Card title={`Pending invitations (${invitations.length})`}>
          <table className="min-w-full text-sm" data-testid="invitations">
            <thead className="text-left text-xs uppercase tracking-wide text-slate-500">
              <tr><th scope="col" className="py-2 pr-4">E-mail</th><th scope="col" className="pr-4">Role</th><th scope="col" className="pr-4">Invited</th><th scope="col" className="pr-4">Expires</th><th scope="col"><span className="sr-only">Actions</span></th></tr>
            </thead>
            <tbody className="divide-y divide-slate-100">
              {invitations.map((inv) => (
                <tr key={inv.id} data-invitation-email={inv.email}>
                  <td className="py-2 pr-4 font-medium">{inv.email}{inv.emailedAt ? <span className="ml-1 text-xs font-normal text-slate-500">e-mailed</span> : null}</td>
                  <td className="pr-4">{isRole(inv.role) ? ROLE_LABELS[inv.role] : inv.role}</td>
                  <td className="pr-4 text-slate-600">{formatDate(inv.createdAt)}{inv.invitedBy ? ` by ${inv.invitedBy}` : ''}</td>
                  <td className="pr-4">{inv.state === 'expired' ? <Badge tone="amber">expired {formatDate(inv.expiresAt)}</Badge> : <span title={formatAgo(inv.expiresAt, now)}>{formatDate(inv.expiresAt)}</span>}</td>
                  <td className="py-1 text-right"><InvitationActions orgSlug={ctx.org.slug} invitationId={inv.id} email={inv.email} /></td>
                </tr>
              ))}
            </tbody>
          </table>
        </Card>
      ) : null}
      <Card title={`Members (${members.length})`}>
        <table className="min-w-full text-sm" data-testid="members">
          <thead className="text-left text-xs uppercase tracking-wide text-slate-500">
            <tr><th scope="col" className="py-2 pr-4">Name</th><th scope="col" className="pr-4">E-mail</th><th scope="col" className="pr-4">Role</th><th scope="col" className="pr-4">Since</th><th scope="col" className="pr-4">Owns</th><th scope="col"><span className="sr-only">Actions</span></th></tr>
          </thead>
          <tbody className="divide-y divide-slate-100">
            {members.map((m) => (
              <tr key={m.id} data-member-email={m.user.email}>
                <td className="py-2 pr-4 font-medium">{m.user.name} {!m.user.active ? <Badge tone="amber">deactivated</Badge> : null}</td>
                <td className="pr-4 text-slate-600">{m.user.email}</td>
                <td className="pr-4" data-testid="member-role">
                  {isRole(m.role) && m.user.active ? <RoleSelect orgSlug={ctx.org.slug} userId={m.user.id} name={m.user.name} role={m.role} self={m.user.id === ctx.user.id} /> : isRole(m.role) ? ROLE_LABELS[m.role] : m.role}
                </td>
                <td className="pr-4">{formatDate(m.createdAt)}</td>
                <td className="pr-4 tabular-nums">
                  {m.owned ? <Link className="text-indigo-700 hover:underline" href={`/${ctx.org.slug}/identities?owner=${m.user.id}`}>{formatNumber(m.owned)} {m.owned === 1 ? 'identity' : 'identities'}</Link> : <span className="text-slate-500">none</span>}
                </td>
                <td>{m.user.id !== ctx.user.id ? <MemberActions orgSlug={ctx.org.slug} userId={m.user.id} name={m.user.name} owned={m.owned} active={m.user.active} /> : null}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </Card>
      {can(ctx.role, 'settings:manage') ? (
        <Card title="Owner actions">
          <OwnerActionsSetting orgSlug={ctx.org.slug} value={settings.ownersActDirectly} />
        </Card>
      ) : null}
    </div>
  )
}
