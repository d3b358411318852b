import { Badge } from '@/components/ui/badge'
import { Card } from '@/components/ui/card'
import { formatAgo, formatDateTime } from '@/components/ui/format'
import { BreakGlassLease } from '@/components/leases/break-glass'
import { ActiveLeaseActions } from '@/components/leases/lease-actions'
import { LEASE_STATUS_TONES } from '@/components/leases/tones'
import type { UserCtx } from '@/lib/auth/org-context'
import { can } from '@/lib/auth/permissions'
import { identityLeases, leaseableTemplates } from '@/lib/leases/queries'
import type { LeaseDto } from '@/lib/leases/queries'

type IdentityRef = { id: string; name: string; status: string; ownerId: string | null; backupOwnerId: string | null; teamId: string | null }

/** An identity's ephemeral credentials: active leases first (renew, revoke), then the recent ended ones. */
export async function IdentityLeasesSection({ ctx, identity, now }: { ctx: UserCtx; identity: IdentityRef; now: number }) {
  const { active, recent } = await identityLeases(ctx, identity.id, new Date(now))
  const mine = identity.ownerId === ctx.user.id || identity.backupOwnerId === ctx.user.id
  // Break-glass is for the identity's owner or an admin (the domain checks again).
  const mayRequest = identity.status === 'active' && can(ctx.role, 'lease:request') && (ctx.role === 'admin' || mine)
  const templates = mayRequest ? await leaseableTemplates(ctx, identity) : []
  const mayHandle = can(ctx.role, 'lease:manage') || (can(ctx.role, 'lease:request') && mine)
  const row = (l: LeaseDto) => (
    <li
      key={l.id}
      className="flex flex-wrap items-start justify-between gap-2 py-2"
      data-testid={`lease-${l.id}`}
      data-status={l.status}
      data-role={l.roleName}
    >
      <div className="min-w-0">
        <div className="flex flex-wrap items-center gap-2">
          <code className="font-mono text-xs text-slate-900">{l.roleName}</code>
          <Badge tone={LEASE_STATUS_TONES[l.status] ?? 'gray'}>{l.status}</Badge>
          <span className="text-xs text-slate-500">{l.template.name}</span>
        </div>
        <p className="mt-0.5 text-xs text-slate-500">
          Issued {formatAgo(l.issuedAt, now)} to {l.requestedBy.label}
          {l.status === 'active' || l.status === 'revoking' ? (
            <>
              {' '}
              · ends <time dateTime={l.expiresAt.toISOString()}>{formatAgo(l.expiresAt, now)}</time>
              {l.renewals ? ` · renewed ${l.renewals}×` : ''}
            </>
          ) : l.endedAt ? (
            <> · ended {formatDateTime(l.endedAt)}</>
          ) : null}
        </p>
        {l.task || l.justification ? (
          <p className="mt-0.5 text-xs text-slate-700" data-testid="lease-why">
            {l.task ? `Task: ${l.task}` : `Justification: ${l.justification}`}
          </p>
        ) : null}
        {l.status === 'stuck' && l.lastError ? <p className="mt-0.5 text-xs text-rose-700">Blocked: {l.lastError}</p> : null}
      </div>
      {l.status === 'active' && mayHandle ? <ActiveLeaseActions orgSlug={ctx.org.slug} leaseId={l.id} canRenew={l.expiresAt < l.maxExpiresAt} /> : null}
    </li>
  )
  return (
    <Card
      title={`Leases (${active.length} active)`}
      action={templates.length ? <BreakGlassLease orgSlug={ctx.org.slug} identity={identity} templates={templates} /> : null}
    >
      <div data-testid="identity-leases">
        {active.length === 0 && recent.length === 0 ? (
          <p className="text-sm text-slate-500" data-testid="identity-leases-empty">
            No ephemeral credentials. A workload asks for one with an exchanged token (<code className="font-mono">POST /api/v1/leases</code>); it ends on its
            own.
          </p>
        ) : null}
        {active.length ? (
          <ul className="divide-y divide-slate-100" data-testid="identity-leases-active">
            {active.map(row)}
          </ul>
        ) : null}
        {recent.length ? (
          <div className={active.length ? 'mt-3 border-t border-slate-100 pt-3' : ''}>
            <h3 className="text-xs font-semibold tracking-wide text-slate-500 uppercase">Recent</h3>
            <ul className="divide-y divide-slate-100" data-testid="identity-leases-recent">
              {recent.map(row)}
            </ul>
          </div>
        ) : null}
      </div>
    </Card>
  )
}
