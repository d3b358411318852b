import Link from 'next/link'
import { CallsTable } from '@/components/gateway/calls-table'
import { IssueGatewayToken } from '@/components/gateway/issue-token'
import { Badge } from '@/components/ui/badge'
import { Card } from '@/components/ui/card'
import { formatAgo, formatDate, formatNumber } from '@/components/ui/format'
import type { UserCtx } from '@/lib/auth/org-context'
import { can } from '@/lib/auth/permissions'
import { identityGatewayAccess, listIdentityGatewayTokens } from '@/lib/gateway/queries'

const STATUS_TONE = { active: 'green', expired: 'gray', revoked: 'gray' } as const

/** An identity's gateway side: routes and methods allowed versus used, its gateway tokens, and its recent calls. */
export async function IdentityGatewaySection({ ctx, identity, now }: { ctx: UserCtx; identity: { id: string; name: string; status: string }; now: number }) {
  const access = await identityGatewayAccess(ctx, identity.id)
  const manageTokens = can(ctx.role, 'api-token:manage')
  const tokens = manageTokens ? await listIdentityGatewayTokens(ctx, identity.id) : []
  const base = `/${ctx.org.slug}`
  return (
    <div className="grid gap-5 lg:grid-cols-5" data-testid="identity-gateway">
      <Card
        title={`Gateway access (used in the last ${access.days} days)`}
        className="lg:col-span-2"
        action={manageTokens && identity.status === 'active' ? <IssueGatewayToken orgSlug={ctx.org.slug} identity={identity} /> : null}
      >
        {access.routes.length === 0 ? (
          <p className="text-sm text-slate-500">No gateway rule reaches this identity, and it made no gateway calls.</p>
        ) : (
          <ul className="divide-y divide-slate-100 text-sm" data-testid="gateway-access">
            {access.routes.map((r) => (
              <li key={r.routeId} className="py-2">
                <div className="flex items-center justify-between gap-2">
                  <Link href={`${base}/gateway/${r.routeId}`} className="font-medium text-indigo-700 hover:underline">
                    {r.name}
                  </Link>
                  <span className="text-xs tabular-nums text-slate-500">
                    {formatNumber(r.calls)} calls{r.denied ? <span className="ml-1 text-rose-700">({formatNumber(r.denied)} refused)</span> : null}
                  </span>
                </div>
                <p className="font-mono text-xs text-slate-500">
                  {r.pathPrefix}
                  {r.paths.length ? ` · ${r.paths.join(', ')}` : ''}
                </p>
                <div className="mt-1 flex flex-wrap items-center gap-1 text-xs">
                  <span className="text-slate-500">Allowed</span>
                  {r.allowed.length ? (
                    r.allowed.map((m) => <MethodBadge key={m} method={m} used={r.used.includes(m) || (m === '*' && r.used.length > 0)} />)
                  ) : (
                    <Badge tone="gray">none</Badge>
                  )}
                  {r.used.filter((m) => !r.allowed.includes(m) && !r.allowed.includes('*')).length ? (
                    <span className="ml-2 text-slate-500">used without a rule: {r.used.filter((m) => !r.allowed.includes(m)).join(', ')}</span>
                  ) : null}
                </div>
                {r.unused.length && r.allowed.length ? (
                  <p className="mt-1 text-xs text-amber-800" data-testid="gateway-unused">
                    Not used in {access.days} days: {r.unused.join(', ')}
                  </p>
                ) : null}
              </li>
            ))}
          </ul>
        )}
        {tokens.length ? (
          <div className="mt-4 border-t border-slate-100 pt-3">
            <h3 className="text-xs font-semibold tracking-wide text-slate-500 uppercase">Gateway tokens</h3>
            <ul className="mt-1 space-y-1 text-sm" data-testid="gateway-tokens">
              {tokens.map((t) => (
                <li key={t.id} className="flex items-center justify-between gap-2">
                  <span>
                    {t.name} <span className="font-mono text-xs text-slate-500">{t.prefix}</span>
                  </span>
                  <span className="text-xs text-slate-500">
                    <Badge tone={STATUS_TONE[t.status]}>{t.status}</Badge> {t.lastUsedAt ? `used ${formatAgo(t.lastUsedAt, now)}` : 'never used'} · expires{' '}
                    {formatDate(t.expiresAt)}
                  </span>
                </li>
              ))}
            </ul>
          </div>
        ) : null}
      </Card>
      <Card title="Gateway calls" className="lg:col-span-3">
        <CallsTable calls={access.recentCalls} show="route" base={base} testId="identity-gateway-calls" />
      </Card>
    </div>
  )
}

function MethodBadge({ method, used }: { method: string; used: boolean }) {
  return (
    <Badge tone={used ? 'green' : 'amber'} title={used ? 'Used in the period' : 'Allowed but not used in the period'}>
      <span className="font-mono">{method}</span>
    </Badge>
  )
}
