import type { Metadata } from 'next'
import Link from 'next/link'
import { Badge } from '@/components/ui/badge'
import { Card } from '@/components/ui/card'
import { CompactTable } from '@/components/ui/compact-table'
import { DetailHeader } from '@/components/ui/detail-header'
import { DetailList, DetailRow } from '@/components/ui/detail-list'
import { Forbidden } from '@/components/ui/forbidden'
import { formatNumber, renderTime } from '@/components/ui/format'
import { ROUTE_STATUS_TONES } from '@/components/gateway/tones'
import { can } from '@/lib/auth/permissions'
import { orNotFound, pageAllows, pageContext } from '@/lib/auth/session'
import { getProviderOrThrow, recentExchanges } from '@/lib/federation/queries'
import { PRESET_LABELS, type Preset } from '@/lib/federation/schemas'
import { routeChoices, rulePrincipalOptions } from '@/lib/gateway/queries'
import { ExchangesTable } from '../_components/exchanges-table'
import { AddTrustRule, ProviderActions, TrustRuleActions } from '../_components/rule-dialogs'
import { TestToken } from '../_components/test-token'

export const metadata: Metadata = { title: 'Trust provider' }

export default async function ProviderPage({ params }: { params: Promise<{ orgSlug: string; providerId: string }> }) {
  const { orgSlug, providerId } = await params
  const ctx = await pageContext(orgSlug)
  if (!(await pageAllows(ctx, 'source:read', 'federation'))) return <Forbidden orgSlug={ctx.org.slug} what="workload federation" />
  const p = await orNotFound(getProviderOrThrow(ctx, providerId), ctx, { type: 'trust-provider', id: providerId })
  const manage = can(ctx.role, 'source:manage')
  const [exchanges, options] = await Promise.all([
    recentExchanges(ctx, { providerId: p.id, take: 20 }),
    manage ? Promise.all([rulePrincipalOptions(ctx), routeChoices(ctx)]).then(([o, routes]) => ({ identities: o.identities, routes })) : null,
  ])
  const base = `/${ctx.org.slug}`
  const now = renderTime()
  return (
    <div className="space-y-5">
      <DetailHeader
        parent={{ href: `${base}/federation`, label: 'Federation' }}
        title={p.name}
        testId="provider-name"
        subtitle={p.issuer}
        badges={
          <>
            <Badge tone={ROUTE_STATUS_TONES[p.status] ?? 'gray'}>{p.status}</Badge>
            <Badge tone="indigo">{PRESET_LABELS[p.preset] ?? p.preset}</Badge>
          </>
        }
        actions={manage ? <ProviderActions orgSlug={ctx.org.slug} providerId={p.id} name={p.name} status={p.status} /> : null}
      />

      <Card title="Settings">
        <DetailList columns={2} testId="provider-settings">
          <DetailRow label="Issuer">
            <span className="font-mono break-all">{p.issuer}</span>
          </DetailRow>
          <DetailRow label="Audiences">
            <span className="font-mono break-all">{p.audiences.join(', ')}</span>
          </DetailRow>
          <DetailRow label="Signing keys">
            <span className="font-mono break-all">{p.jwksUri ?? 'from the issuer’s discovery document'}</span>
          </DetailRow>
          <DetailRow label="Added">{p.createdAt.toISOString().slice(0, 10)}</DetailRow>
        </DetailList>
      </Card>

      <Card
        title={`Rules (${p.rules.length})`}
        action={manage && options ? <AddTrustRule orgSlug={ctx.org.slug} providerId={p.id} preset={p.preset as Preset} options={options} /> : null}
      >
        {p.rules.length === 0 ? (
          <p className="text-sm text-slate-500" data-testid="no-trust-rules">
            No rules yet: every token of this issuer is refused. A rule maps tokens whose claims meet its condition to one identity.
          </p>
        ) : (
          <CompactTable
            testId="trust-rules"
            columns={['Rule', 'Becomes', 'Condition', 'Scopes and audiences', { header: 'Token life', align: 'end' }, { header: 'Actions', srOnly: true }]}
          >
            {p.rules.map((r) => (
              <tr key={r.id} data-testid="trust-rule-row" className="align-top">
                <td className="py-2 pr-3">
                  <span className="font-medium text-slate-900">{r.name}</span>
                  {r.status !== 'active' ? (
                    <span className="ml-1.5">
                      <Badge tone="amber">{r.status}</Badge>
                    </span>
                  ) : null}
                </td>
                <td className="py-2 pr-3">
                  <Link href={`${base}/identities/${r.identity.id}`} className="text-indigo-700 hover:underline">
                    {r.identity.name}
                  </Link>
                </td>
                <td className="max-w-md py-2 pr-3">
                  <code className="block font-mono text-xs break-words whitespace-pre-wrap text-slate-700">{r.condition}</code>
                </td>
                <td className="py-2 pr-3 font-mono text-xs text-slate-600">
                  {r.scopes.join(' ')}
                  <div className="text-slate-500">→ {r.audiences.join(', ')}</div>
                </td>
                <td className="py-2 pr-3 text-right tabular-nums">{formatNumber(Math.round(r.maxTtlSeconds / 60))} min</td>
                <td className="py-2 text-right">{manage ? <TrustRuleActions orgSlug={ctx.org.slug} ruleId={r.id} name={r.name} status={r.status} /> : null}</td>
              </tr>
            ))}
          </CompactTable>
        )}
      </Card>

      <div className="grid gap-5 lg:grid-cols-5">
        <Card title="Test a token" className="lg:col-span-2">
          <TestToken orgSlug={ctx.org.slug} providerId={p.id} />
        </Card>
        <Card title="Recent exchanges" className="lg:col-span-3">
          <ExchangesTable rows={exchanges} base={base} now={now} testId="provider-exchanges" />
        </Card>
      </div>
    </div>
  )
}
