import type { Metadata } from 'next'
import Link from 'next/link'
import { ListTable, type ListColumn } from '@/components/data-table/list-table'
import { paging } from '@/components/data-table/search-params'
import { Badge, type BadgeTone } from '@/components/ui/badge'
import { EmptyState } from '@/components/ui/empty-state'
import { Forbidden } from '@/components/ui/forbidden'
import { formatAgo, formatDate, formatDateTime, renderTime } from '@/components/ui/format'
import { PageHeader } from '@/components/ui/page-header'
import { listApiTokens } from '@/lib/api-tokens/queries'
import type { TokenStatus } from '@/lib/api-tokens/schemas'
import { pageAllows, pageContext } from '@/lib/auth/session'
import { IssueGatewayToken } from '@/components/gateway/issue-token'
import { rulePrincipalOptions } from '@/lib/gateway/queries'
import { CreateToken, TokenActions } from '@/components/api-tokens/token-dialogs'

export const metadata: Metadata = { title: 'API tokens' }

const COLUMNS: ListColumn[] = [
  { id: 'name', header: 'Name' },
  { id: 'scopes', header: 'Scopes', className: 'whitespace-normal' },
  { id: 'expires', header: 'Expires' },
  { id: 'used', header: 'Last used' },
  { id: 'status', header: 'Status' },
  { id: 'actions', header: <span className="sr-only">Actions</span>, align: 'end' },
]

const STATUS_TONE: Record<TokenStatus, BadgeTone> = { active: 'green', expired: 'amber', revoked: 'gray' }

export default async function ApiTokensPage({ params }: { params: Promise<{ orgSlug: string }> }) {
  const ctx = await pageContext((await params).orgSlug)
  if (!(await pageAllows(ctx, 'api-token:manage', 'settings/api-tokens'))) return <Forbidden orgSlug={ctx.org.slug} what="API tokens" />
  const tokens = await listApiTokens(ctx)
  const now = renderTime()
  return (
    <div className="space-y-5">
      <PageHeader
        title="API tokens"
        description={
          <>
            Tokens let scripts and pipelines call the{' '}
            <Link href="/api/v1/docs" prefetch={false} className="text-indigo-700 underline hover:no-underline">
              Custodian API
            </Link>{' '}
            with the scopes you choose.{' '}
            <Link href={`/${ctx.org.slug}/settings`} className="text-indigo-700 underline hover:no-underline">
              Back to settings
            </Link>
          </>
        }
        actions={
          <>
            <IssueGatewayToken orgSlug={ctx.org.slug} identities={(await rulePrincipalOptions(ctx)).identities} size="md" />
            <CreateToken orgSlug={ctx.org.slug} />
          </>
        }
      />
      {/* Every list is the shared ListTable; the settings lists pass it alike-shaped props (scheduled reports too). */}
      <ListTable
        ariaLabel="API tokens"
        testId="api-tokens"
        toolbar={<h2 className="text-sm font-semibold text-slate-900">Tokens ({tokens.length})</h2>}
        columns={COLUMNS}
        {...paging({ page: 1, size: 500 }, tokens.length)}
        emptyState={<EmptyState title="No API tokens yet">Create one for each script or pipeline, with only the scopes it needs and an expiry.</EmptyState>}
        rows={tokens.map((t) => ({
          id: t.id,
          attrs: { 'data-token-name': t.name },
          cells: {
            name: (
              <span>
                <span className="block font-medium text-slate-900">{t.name}</span>
                <span className="block font-mono text-xs text-slate-500">{t.prefix}</span>
              </span>
            ),
            scopes: t.gateway ? (
              <span className="text-xs text-slate-700" data-testid="gateway-token-scope">
                <Badge tone="violet">gateway:call</Badge> acts as{' '}
                {t.identity ? (
                  <Link href={`/${ctx.org.slug}/identities/${t.identity.id}`} className="text-indigo-700 hover:underline">
                    {t.identity.name}
                  </Link>
                ) : (
                  'an identity'
                )}
              </span>
            ) : (
              <span className="text-xs text-slate-700">
                {t.scopes.join(', ')}
                {t.identity ? (
                  <span className="block" data-testid="identity-token-scope">
                    limited to{' '}
                    <Link href={`/${ctx.org.slug}/identities/${t.identity.id}`} className="text-indigo-700 hover:underline">
                      {t.identity.name}
                    </Link>
                  </span>
                ) : null}
              </span>
            ),
            expires: (
              <span>
                {formatDate(t.expiresAt)}
                {t.previousValidUntil ? <span className="block text-xs text-slate-500">old secret until {formatDateTime(t.previousValidUntil)}</span> : null}
              </span>
            ),
            used: t.lastUsedAt ? (
              <span title={formatDateTime(t.lastUsedAt)}>
                {formatAgo(t.lastUsedAt, now)}
                {t.lastUsedIp ? <span className="block font-mono text-xs text-slate-500">{t.lastUsedIp}</span> : null}
              </span>
            ) : (
              <span className="text-slate-500">never</span>
            ),
            status: <Badge tone={STATUS_TONE[t.status]}>{t.status}</Badge>,
            actions: t.status === 'active' ? <TokenActions orgSlug={ctx.org.slug} tokenId={t.id} name={t.name} /> : null,
          },
        }))}
      />
    </div>
  )
}
