import type { Metadata } from 'next'
import { Badge } from '@/components/ui/badge'
import { Card } from '@/components/ui/card'
import { DetailHeader } from '@/components/ui/detail-header'
import { DetailList, DetailRow } from '@/components/ui/detail-list'
import { countOf, formatAgo, formatDate, formatDateTime, renderTime } from '@/components/ui/format'
import { ENVIRONMENT_TONES, IDENTITY_STATUS_TONES, riskTone, SEVERITY_TONES, toneOf } from '@/components/ui/tones'
import { orNotFound, pageContext } from '@/lib/auth/session'
import { getIdentityOrThrow } from '@/lib/inventory/queries'
import { KIND_LABELS } from '@/lib/inventory/schemas'
import { personStatus } from '@/lib/members/person'
import { PersonName } from '@/components/members/person-status'
import { IdentityGatewaySection } from '@/components/gateway/identity-gateway-section'
import { IdentityTasksSection } from '@/components/federation/identity-tasks-section'
import { IdentityLeasesSection } from '@/components/leases/identity-leases-section'
import { IdentityTokensSection } from '@/components/api-tokens/identity-tokens-section'
import { CredentialsSection, GrantsSection, readRemediationsFirst, RemediationHeader, RemediationHistorySection } from './_remediation/sections'
import { OwnershipActions } from './_components/ownership-actions'

export const metadata: Metadata = { title: 'Identity' }

export default async function IdentityPage({ params }: { params: Promise<{ orgSlug: string; identityId: string }> }) {
  const { orgSlug, identityId } = await params
  const ctx = await pageContext(orgSlug)
  await readRemediationsFirst(ctx, identityId)
  const { identity: i, grants, activity, audit } = await orNotFound(getIdentityOrThrow(ctx, identityId), ctx, { type: 'identity', id: identityId })
  const now = renderTime()
  const base = `/${ctx.org.slug}`
  const tags = i.tags
  let metadata: Record<string, unknown> = {}
  try {
    metadata = JSON.parse(i.metadata)
  } catch {}

  return (
    <div className="space-y-5">
      <DetailHeader
        parent={{ href: `${base}/identities`, label: 'Identities' }}
        title={i.name}
        testId="identity-name"
        subtitle={i.externalId}
        badges={
          <>
            <Badge tone="indigo">{KIND_LABELS[i.kind as keyof typeof KIND_LABELS] ?? i.kind}</Badge>
            <Badge tone={toneOf(ENVIRONMENT_TONES, i.environment)}>{i.environment}</Badge>
            <Badge tone={toneOf(IDENTITY_STATUS_TONES, i.status)}>{i.status}</Badge>
            {i.privileged ? <Badge tone="red">privileged</Badge> : null}
            <Badge tone={riskTone(i.riskScore)} title="Risk score, 0–100">
              risk {i.riskScore}
            </Badge>
          </>
        }
        actions={<RemediationHeader ctx={ctx} identity={i} now={now} />}
      />

      <div className="grid gap-5 lg:grid-cols-3">
        <Card title="Ownership" action={<OwnershipActions ctx={ctx} identity={i} />}>
          <DetailList>
            <DetailRow label="Owner">
              {i.owner ? <PersonName name={i.owner.name} status={personStatus(i.owner)} /> : <Badge tone="red">No owner</Badge>}
            </DetailRow>
            <DetailRow label="Backup owner">{i.backupOwner ? <PersonName name={i.backupOwner.name} status={personStatus(i.backupOwner)} /> : '—'}</DetailRow>
            <DetailRow label="Owning team">{i.team?.name ?? '—'}</DetailRow>
            <DetailRow label="Owner from">{i.ownerOrigin ?? '—'}</DetailRow>
            <DetailRow label="Last attested">{formatDate(i.lastAttestedAt)}</DetailRow>
          </DetailList>
        </Card>
        <Card title="Details">
          <DetailList>
            <DetailRow label="Source">{i.source.name}</DetailRow>
            <DetailRow label="Created">
              {formatDate(i.createdAt)} ({formatAgo(i.createdAt, now)})
            </DetailRow>
            <DetailRow label="Last used">
              {i.lastUsedAt ? (
                `${formatDate(i.lastUsedAt)} (${formatAgo(i.lastUsedAt, now)})`
              ) : i.usageReported ? (
                'never'
              ) : (
                <span data-testid="usage-unknown" title="Not “never”: no dormancy finding is raised without usage data">
                  unknown — {i.source.name} does not report usage
                </span>
              )}
            </DetailRow>
            <DetailRow label="Discovered">{formatDate(i.discoveredAt)}</DetailRow>
            {i.description ? <DetailRow label="Description">{i.description}</DetailRow> : null}
          </DetailList>
        </Card>
        <Card title="Tags and source metadata">
          {tags.length === 0 && Object.keys(metadata).length === 0 ? (
            <p className="text-sm text-slate-500">No tags or metadata from the source.</p>
          ) : (
            <div className="space-y-2">
              <div className="flex flex-wrap gap-1.5">
                {tags.map((t) => (
                  <Badge key={t.key}>
                    {t.key}: {t.value}
                  </Badge>
                ))}
              </div>
              {Object.keys(metadata).length ? (
                <pre className="max-h-40 overflow-auto rounded bg-slate-50 p-2 text-xs text-slate-700">{JSON.stringify(metadata, null, 2)}</pre>
              ) : null}
            </div>
          )}
        </Card>
      </div>

      {i.findings.length > 0 ? (
        <Card title={`Findings (${i.findings.length})`}>
          <ul className="divide-y divide-slate-100 text-sm">
            {i.findings.map((f) => (
              <li key={f.id} className="flex items-center gap-3 py-2">
                <Badge tone={toneOf(SEVERITY_TONES, f.severity)}>{f.severity}</Badge>
                <span className="font-mono text-xs text-slate-500">{f.owaspCode}</span>
                <span>{f.title}</span>
              </li>
            ))}
          </ul>
        </Card>
      ) : null}

      <Card title={`Credentials (${i.credentials.length})`}>
        {i.credentials.length === 0 ? (
          <p className="text-sm text-slate-500">No credentials known for this identity.</p>
        ) : (
          <CredentialsSection ctx={ctx} identity={i} credentials={i.credentials} now={now} />
        )}
      </Card>

      <Card title={grants.length === 500 ? 'Access (500+ grants)' : `Access (${countOf(grants.length, 'grant')})`}>
        {grants.length === 0 ? (
          <p className="text-sm text-slate-500">This identity has no known grants.</p>
        ) : (
          <GrantsSection ctx={ctx} identity={i} grants={grants} now={now} />
        )}
      </Card>

      <RemediationHistorySection ctx={ctx} identityId={i.id} />

      <IdentityLeasesSection ctx={ctx} identity={i} now={now} />

      <IdentityGatewaySection ctx={ctx} identity={i} now={now} />

      <IdentityTokensSection ctx={ctx} identity={i} now={now} />

      <IdentityTasksSection ctx={ctx} identityId={i.id} now={now} />

      <div className="grid gap-5 lg:grid-cols-2">
        <Card title="Recent activity">
          {activity.length === 0 ? (
            <p className="text-sm text-slate-500">The source reports no recent activity.</p>
          ) : (
            <ul className="divide-y divide-slate-100 text-sm" data-testid="activity">
              {activity.map((a) => (
                <li key={a.id} className="flex items-center justify-between gap-2 py-1.5">
                  <span>
                    <Badge tone={a.kind === 'auth_failure' ? 'red' : a.kind === 'interactive_login' ? 'amber' : 'gray'}>{a.kind.replace('_', ' ')}</Badge>
                    {a.sourceIp ? <span className="ml-2 font-mono text-xs text-slate-500">{a.sourceIp}</span> : null}
                  </span>
                  <span className="text-xs text-slate-500">{formatDateTime(a.at)}</span>
                </li>
              ))}
            </ul>
          )}
        </Card>
        <Card title="Audit history">
          {audit === null ? (
            <p className="text-sm text-slate-500" data-testid="identity-audit-hidden">
              The audit history is shown to admins, governance and auditors.
            </p>
          ) : audit.length === 0 ? (
            <p className="text-sm text-slate-500">No changes recorded for this identity yet.</p>
          ) : (
            <ul className="divide-y divide-slate-100 text-sm" data-testid="identity-audit">
              {audit.map((e) => (
                <li key={e.id} className="py-1.5">
                  <span className="font-medium">{e.action}</span> <span className="text-slate-500">by {e.actorLabel}</span>
                  <span className="float-right text-xs text-slate-500">{formatDateTime(e.at)}</span>
                  {e.change ? <p className="text-xs text-slate-600">{e.change}</p> : null}
                  {e.justification ? <p className="text-xs text-slate-600">“{e.justification}”</p> : null}
                </li>
              ))}
            </ul>
          )}
        </Card>
      </div>
    </div>
  )
}
