import type { Metadata } from 'next'
import { buttonClass } from '@/components/ui/button'
import { Card } from '@/components/ui/card'
import { EmptyState } from '@/components/ui/empty-state'
import { Forbidden } from '@/components/ui/forbidden'
import { countOf, formatDateTime } from '@/components/ui/format'
import { PageHeader } from '@/components/ui/page-header'
import { can } from '@/lib/auth/permissions'
import { pageAllows, pageContext } from '@/lib/auth/session'
import { POLICY_EXAMPLES } from '@/lib/policies/examples'
import { getPolicies, listPolicyVersions, simulatorChoices, VERSION_PAGE } from '@/lib/policies/queries'
import { CEDAR_SCHEMA } from '@/lib/policies/schema'
import { PolicyEditor } from './_components/policy-editor'
import { Simulator } from './_components/simulator'
import { VersionHistory } from './_components/version-history'

export const metadata: Metadata = { title: 'Policies' }

export default async function PoliciesPage({ params }: { params: Promise<{ orgSlug: string }> }) {
  const ctx = await pageContext((await params).orgSlug)
  if (!(await pageAllows(ctx, 'source:read', 'policies'))) return <Forbidden orgSlug={ctx.org.slug} what="policies" />
  const [policies, versions, choices] = await Promise.all([getPolicies(ctx), listPolicyVersions(ctx), simulatorChoices(ctx)])
  const manage = can(ctx.role, 'source:manage')
  return (
    <div className="space-y-5">
      <PageHeader
        title="Policies"
        description="Cedar policies that restrict what trust rules and gateway rules allow: a forbid refuses the token exchange, the gateway call or the workload’s API call, whatever permits it. No policies: everything the rules allow."
        actions={
          policies.version > 0 ? (
            <a href={`/api/orgs/${ctx.org.slug}/policies/export`} className={buttonClass('secondary')} data-testid="export-policies" download>
              Export .cedar
            </a>
          ) : null
        }
      />
      <div className="grid gap-5 lg:grid-cols-5">
        <div className="space-y-5 lg:col-span-3">
          <Card
            title={policies.version ? `Version ${policies.version}` : 'No policies yet'}
            action={
              policies.updatedAt ? (
                <span className="text-xs text-slate-500">
                  saved {formatDateTime(policies.updatedAt)}
                  {policies.updatedBy ? ` by ${policies.updatedBy}` : ''}
                </span>
              ) : null
            }
          >
            <PolicyEditor
              orgSlug={ctx.org.slug}
              text={policies.text}
              version={policies.version}
              manage={manage}
              examples={POLICY_EXAMPLES.map((e) => ({ ...e }))}
            />
          </Card>
          <Card
            title="Version history"
            action={versions.length ? <span className="text-xs text-slate-500">{countOf(policies.version, 'version')}</span> : null}
          >
            {versions.length === 0 ? (
              <EmptyState title="No versions yet">Every save is kept here with its author and the diff, and audited.</EmptyState>
            ) : (
              <VersionHistory
                versions={versions.map((v) => ({ ...v, createdAt: v.createdAt.toISOString() }))}
                more={policies.version > VERSION_PAGE ? policies.version - VERSION_PAGE : 0}
              />
            )}
          </Card>
        </div>
        <div className="space-y-5 lg:col-span-2">
          <Card title="Simulator">
            <Simulator orgSlug={ctx.org.slug} identities={choices.identities} routes={choices.routes} />
          </Card>
          <Card title="What policies see">
            <p className="mb-2 text-xs text-slate-600">
              Principal <code>Identity</code>, resource <code>Target</code> (the API, or a gateway route). Actions: <code>exchange</code> (at token exchange),{' '}
              <code>gateway_call</code> (every call through the gateway: method, path, <code>sourceIp</code> as an <code>ipaddr</code>, <code>tokenKind</code>,{' '}
              <code>task</code>, <code>unusual</code> = an open unusual-use finding) and <code>api_call</code> (every API call made with an exchanged access
              token: <code>operation</code>, <code>method</code>, <code>scope</code>, <code>task</code>; API tokens keep their scopes only). A change reaches
              every gateway process within a second. Hours are UTC; weekday 0 is Sunday.
            </p>
            <pre
              tabIndex={0}
              aria-label="Cedar schema"
              className="max-h-72 overflow-auto rounded-md bg-slate-50 p-3 font-mono text-[11px] leading-snug text-slate-700"
              data-testid="cedar-schema"
            >
              {CEDAR_SCHEMA}
            </pre>
          </Card>
        </div>
      </div>
    </div>
  )
}
