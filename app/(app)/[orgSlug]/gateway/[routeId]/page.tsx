import type { Metadata } from 'next'
import Link from 'next/link'
import { CallsTable } from '@/components/gateway/calls-table'
import { IssueGatewayToken } from '@/components/gateway/issue-token'
import { ROUTE_STATUS_TONES } from '@/components/gateway/tones'
import { Badge } from '@/components/ui/badge'
import { Card } from '@/components/ui/card'
import { CompactTable } from '@/components/ui/compact-table'
import { DetailHeader } from '@/components/ui/detail-header'
import { DetailList, DetailRow } from '@/components/ui/detail-list'
import { formatAgo, formatDateTime, formatNumber, renderTime } from '@/components/ui/format'
import { ENVIRONMENT_TONES, toneOf } from '@/components/ui/tones'
import { can } from '@/lib/auth/permissions'
import { orNotFound, pageAllows, pageContext } from '@/lib/auth/session'
import { Forbidden } from '@/components/ui/forbidden'
import { getRouteOrThrow, rulePrincipalOptions } from '@/lib/gateway/queries'
import { AUTH_KIND_LABELS, type AuthKind } from '@/lib/gateway/schemas'
import { RouteSettings, RouteStatusActions } from '../_components/route-actions'
import type { RouteFormValues } from '../_components/route-form'
import { AddRule, RemoveRule } from '../_components/rule-dialogs'

export const metadata: Metadata = { title: 'Gateway route' }

export default async function RoutePage({ params }: { params: Promise<{ orgSlug: string; routeId: string }> }) {
  const { orgSlug, routeId } = await params
  const ctx = await pageContext(orgSlug)
  if (!(await pageAllows(ctx, 'source:read', 'gateway'))) return <Forbidden orgSlug={ctx.org.slug} what="gateway routes" />
  const {
    route: r,
    rules,
    callers,
    callerCount,
    recentCalls,
    days,
  } = await orNotFound(getRouteOrThrow(ctx, routeId), ctx, { type: 'gateway-route', id: routeId })
  const manage = can(ctx.role, 'gateway:manage')
  const tokens = can(ctx.role, 'api-token:manage')
  const options = manage || tokens ? await rulePrincipalOptions(ctx) : null
  const now = renderTime()
  const base = `/${ctx.org.slug}`
  const values: RouteFormValues = {
    name: r.name,
    pathPrefix: r.pathPrefix,
    upstreamUrl: r.upstreamUrl,
    environment: r.environment,
    authKind: r.authKind as AuthKind,
    authHeader: r.authHeader ?? '',
    authPrefix: r.authPrefix ?? '',
    secretRef: r.secretRef ?? '',
    oauthTokenUrl: r.oauthTokenUrl ?? '',
    oauthClientId: r.oauthClientId ?? '',
    oauthScope: r.oauthScope ?? '',
    connectTimeoutMs: String(r.connectTimeoutMs),
    timeoutMs: String(r.timeoutMs),
    maxBodyBytes: String(r.maxBodyBytes),
    ratePerSecond: String(r.ratePerSecond),
    burst: String(r.burst),
  }
  return (
    <div className="space-y-5">
      <DetailHeader
        parent={{ href: `${base}/gateway`, label: 'Gateway' }}
        title={r.name}
        testId="route-name"
        subtitle={
          <>
            {r.pathPrefix}/… → {r.upstreamUrl}
          </>
        }
        badges={
          <>
            <Badge tone={toneOf(ROUTE_STATUS_TONES, r.status)}>{r.status}</Badge>
            <Badge tone={toneOf(ENVIRONMENT_TONES, r.environment)}>{r.environment}</Badge>
            <Badge tone="indigo">{AUTH_KIND_LABELS[r.authKind as AuthKind] ?? r.authKind}</Badge>
          </>
        }
        actions={
          <>
            {tokens && options ? <IssueGatewayToken orgSlug={ctx.org.slug} identities={options.identities} size="md" /> : null}
            {manage ? <RouteStatusActions orgSlug={ctx.org.slug} routeId={r.id} name={r.name} status={r.status} /> : null}
          </>
        }
      />

      <RouteSettings orgSlug={ctx.org.slug} routeId={r.id} values={values} manage={manage}>
        <DetailList columns={2} testId="route-settings">
          <DetailRow label="Path prefix">
            <span className="font-mono">{r.pathPrefix}</span>
          </DetailRow>
          <DetailRow label="Upstream">
            <span className="font-mono break-all">{r.upstreamUrl}</span>
          </DetailRow>
          <DetailRow label="Upstream auth">{AUTH_KIND_LABELS[r.authKind as AuthKind] ?? r.authKind}</DetailRow>
          {r.authKind === 'header' ? (
            <DetailRow label="Header">
              <span className="font-mono">
                {r.authHeader}: {r.authPrefix ?? ''}…
              </span>
            </DetailRow>
          ) : null}
          {r.authKind === 'oauth2_client_credentials' ? (
            <>
              <DetailRow label="Token endpoint">
                <span className="font-mono break-all">{r.oauthTokenUrl}</span>
              </DetailRow>
              <DetailRow label="Client id">
                <span className="font-mono">{r.oauthClientId}</span>
              </DetailRow>
            </>
          ) : null}
          {r.secretRef ? (
            <DetailRow label="Secret from">
              <span className="font-mono" title="An environment variable of the gateway process; the secret is never stored in Custodian">
                ${r.secretRef}
              </span>
            </DetailRow>
          ) : null}
          <DetailRow label="Timeouts">
            {formatNumber(r.connectTimeoutMs)} ms connect, {formatNumber(r.timeoutMs)} ms total
          </DetailRow>
          <DetailRow label="Largest body">{formatNumber(r.maxBodyBytes)} bytes</DetailRow>
          <DetailRow label="Rate limit">
            {formatNumber(r.ratePerSecond)}/s, burst {formatNumber(r.burst)} per identity
          </DetailRow>
        </DetailList>
      </RouteSettings>

      <Card title={`Rules (${rules.length})`} action={manage && options ? <AddRule orgSlug={ctx.org.slug} routeId={r.id} options={options} /> : null}>
        {rules.length === 0 ? (
          <p className="text-sm text-slate-500" data-testid="no-rules">
            No rules yet: every call to this route is refused. Add a rule to let an identity, a team or a tag call it.
          </p>
        ) : (
          <CompactTable testId="rules-table" columns={['Who', 'Methods', 'Paths', { header: 'Identities', align: 'end' }, { header: 'Actions', srOnly: true }]}>
            {rules.map((rule) => (
              <tr key={rule.id} data-testid="rule-row">
                <td className="py-2 pr-3">
                  <Badge tone="gray">{rule.principalType}</Badge>{' '}
                  {rule.identity ? (
                    <Link href={`${base}/identities/${rule.identity.id}`} className="text-indigo-700 hover:underline">
                      {rule.identity.name}
                    </Link>
                  ) : (
                    <span>{rule.principal}</span>
                  )}
                  {rule.privileged ? (
                    <span className="ml-1.5">
                      <Badge tone="red">privileged</Badge>
                    </span>
                  ) : null}
                </td>
                <td className="py-2 pr-3 font-mono text-xs">{rule.methods.join(', ')}</td>
                <td className="py-2 pr-3 font-mono text-xs">{rule.paths.join(', ')}</td>
                <td className="py-2 pr-3 text-right tabular-nums">
                  {formatNumber(rule.activeGrants)}
                  {rule.revokedGrants ? (
                    <div className="text-xs text-slate-500" title="Grants revoked by hand or by a review decision: the rule no longer reaches them">
                      {formatNumber(rule.revokedGrants)} revoked
                    </div>
                  ) : null}
                </td>
                <td className="py-2 text-right">
                  {manage ? <RemoveRule orgSlug={ctx.org.slug} routeId={r.id} ruleId={rule.id} label={rule.entitlementName} /> : null}
                </td>
              </tr>
            ))}
          </CompactTable>
        )}
      </Card>

      <div className="grid gap-5 lg:grid-cols-5">
        <Card title={`Callers (last ${days} days)`} className="lg:col-span-2">
          {callers.length === 0 ? (
            <p className="text-sm text-slate-500">No identity called this route in the last {days} days.</p>
          ) : (
            <ul className="divide-y divide-slate-100 text-sm" data-testid="route-callers">
              {callers.map((c) => (
                <li key={c.identityId ?? 'anonymous'} className="flex items-center justify-between gap-2 py-1.5">
                  <span>
                    {c.identityId ? (
                      <Link href={`${base}/identities/${c.identityId}`} className="text-indigo-700 hover:underline">
                        {c.name}
                      </Link>
                    ) : (
                      <span className="text-slate-500">{c.name}</span>
                    )}
                    <span className="ml-2 text-xs text-slate-500" title={formatDateTime(c.lastCallAt)}>
                      last {formatAgo(c.lastCallAt, now)}
                    </span>
                  </span>
                  <span className="text-right text-xs tabular-nums">
                    {formatNumber(c.calls)} calls
                    {c.denied ? <span className="ml-1.5 text-rose-700">{formatNumber(c.denied)} refused</span> : null}
                  </span>
                </li>
              ))}
            </ul>
          )}
          {callerCount > callers.length ? (
            <p className="mt-2 text-xs text-slate-500" data-testid="route-callers-more">
              The {formatNumber(callers.length)} busiest of {formatNumber(callerCount)} callers.
            </p>
          ) : null}
        </Card>
        <Card title="Recent calls" className="lg:col-span-3">
          <CallsTable calls={recentCalls} show="identity" base={base} testId="route-calls" />
        </Card>
      </div>
    </div>
  )
}
