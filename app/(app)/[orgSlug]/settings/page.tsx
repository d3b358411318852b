import type { Metadata } from 'next'
import Link from 'next/link'
import { listColumns, actionsColumn } from '@/components/data-table/list-columns'
import { ListTable } from '@/components/data-table/list-table'
import { type ListPageProps, pageOf, paging } from '@/components/data-table/search-params'
import { Badge } from '@/components/ui/badge'
import { Card } from '@/components/ui/card'
import { Forbidden } from '@/components/ui/forbidden'
import { countOf, formatAgo, formatDate, renderTime } from '@/components/ui/format'
import { PageHeader } from '@/components/ui/page-header'
import { pageAllows, pageContext } from '@/lib/auth/session'
import { ROLE_LABELS, can, isRole } from '@/lib/auth/permissions'
import { getOrgSettings } from '@/lib/inventory/queries'
import { listMembers, listPendingInvitations } from '@/lib/members/queries'
import { InvitationActions } from './_components/invitation-actions'
import { InviteForm } from './_components/invite-form'
import { MemberActions } from './_components/member-actions'
import { LeakResponseSetting } from './_components/leak-response-setting'
import { OwnerActionsSetting } from './_components/owner-actions-setting'
import { RoleSelect } from './_components/role-select'
import { parseSettingsSearchParams } from './search-params'

export const metadata: Metadata = { title: 'Settings' }

const INVITATION_COLUMNS = listColumns({
  email: 'E-mail',
  role: 'Role',
  invited: ['Invited', 'text-slate-600'],
  expires: 'Expires',
  actions: actionsColumn(),
})
const MEMBER_COLUMNS = listColumns({
  name: 'Name',
  email: ['E-mail', 'text-slate-600'],
  role: 'Role',
  since: 'Since',
  owns: ['Owns', 'tabular-nums'],
  actions: actionsColumn(),
})

export default async function SettingsPage({ params, searchParams }: ListPageProps) {
  const ctx = await pageContext((await params).orgSlug)
  if (!(await pageAllows(ctx, 'member:manage', 'settings'))) return <Forbidden orgSlug={ctx.org.slug} what="organization settings" />
  const p = parseSettingsSearchParams(await searchParams)
  const [members, invitations, settings] = await Promise.all([listMembers(ctx), listPendingInvitations(ctx), getOrgSettings(ctx)])
  const now = renderTime()
  return (
    <div className="space-y-5">
      <PageHeader
        title="Settings"
        description="People, roles and what owners may do in this organization."
        actions={
          <span className="flex gap-4">
            <Link href={`/${ctx.org.slug}/settings/reports`} className="text-sm font-medium text-indigo-700 hover:underline">
              Scheduled reports →
            </Link>
            <Link href={`/${ctx.org.slug}/settings/posture`} className="text-sm font-medium text-indigo-700 hover:underline">
              Posture thresholds →
            </Link>
            {can(ctx.role, 'api-token:manage') ? (
              <Link href={`/${ctx.org.slug}/settings/api-tokens`} className="text-sm font-medium text-indigo-700 hover:underline">
                API tokens →
              </Link>
            ) : null}
            {can(ctx.role, 'webhook:manage') ? (
              <Link href={`/${ctx.org.slug}/settings/webhooks`} className="text-sm font-medium text-indigo-700 hover:underline">
                Webhooks →
              </Link>
            ) : null}
          </span>
        }
      />
      <Card title="Invite people">
        <InviteForm orgSlug={ctx.org.slug} />
      </Card>
      {invitations.length ? (
        <ListTable
          ariaLabel="Pending invitations"
          testId="invitations"
          paramPrefix="i"
          toolbar={<h2 className="text-sm font-semibold text-slate-900">Pending invitations ({invitations.length})</h2>}
          columns={INVITATION_COLUMNS}
          {...paging({ page: p.ipage, size: p.isize }, invitations.length)}
          rows={pageOf(invitations, { page: p.ipage, size: p.isize }).map((inv) => ({
            id: inv.id,
            attrs: { 'data-invitation-email': inv.email },
            cells: {
              email: (
                <span className="font-medium">
                  {inv.email}
                  {inv.emailedAt ? <span className="ml-1 text-xs font-normal text-slate-500">e-mailed</span> : null}
                </span>
              ),
              role: isRole(inv.role) ? ROLE_LABELS[inv.role] : inv.role,
              invited: `${formatDate(inv.createdAt)}${inv.invitedBy ? ` by ${inv.invitedBy}` : ''}`,
              expires:
                inv.state === 'expired' ? (
                  <Badge tone="amber">expired {formatDate(inv.expiresAt)}</Badge>
                ) : (
                  <span title={formatAgo(inv.expiresAt, now)}>{formatDate(inv.expiresAt)}</span>
                ),
              actions: <InvitationActions orgSlug={ctx.org.slug} invitationId={inv.id} email={inv.email} />,
            },
          }))}
        />
      ) : null}
      <ListTable
        ariaLabel="Members"
        testId="members"
        toolbar={<h2 className="text-sm font-semibold text-slate-900">Members ({members.length})</h2>}
        columns={MEMBER_COLUMNS}
        {...paging(p, members.length)}
        rows={pageOf(members, p).map((m) => ({
          id: m.id,
          attrs: { 'data-member-email': m.user.email },
          cells: {
            name: (
              <span className="font-medium">
                {m.user.name} {!m.user.active ? <Badge tone="amber">deactivated</Badge> : null}
              </span>
            ),
            email: m.user.email,
            role: (
              <span data-testid="member-role">
                {isRole(m.role) && m.user.active ? (
                  <RoleSelect orgSlug={ctx.org.slug} userId={m.user.id} name={m.user.name} role={m.role} self={m.user.id === ctx.user.id} />
                ) : isRole(m.role) ? (
                  ROLE_LABELS[m.role]
                ) : (
                  m.role
                )}
              </span>
            ),
            since: formatDate(m.createdAt),
            owns: m.owned ? (
              <Link className="text-indigo-700 hover:underline" href={`/${ctx.org.slug}/identities?owner=${m.user.id}`}>
                {countOf(m.owned, 'identity', 'identities')}
              </Link>
            ) : (
              <span className="text-slate-500">none</span>
            ),
            actions:
              m.user.id !== ctx.user.id ? (
                <MemberActions orgSlug={ctx.org.slug} userId={m.user.id} name={m.user.name} owned={m.owned} active={m.user.active} />
              ) : null,
          },
        }))}
      />
      {can(ctx.role, 'settings:manage') ? (
        <Card title="Owner actions">
          <OwnerActionsSetting orgSlug={ctx.org.slug} value={settings.ownersActDirectly} />
        </Card>
      ) : null}
      {can(ctx.role, 'settings:manage') ? (
        <Card title="When a secret of ours is reported leaked">
          <LeakResponseSetting orgSlug={ctx.org.slug} value={settings.leakResponse} />
        </Card>
      ) : null}
    </div>
  )
}
