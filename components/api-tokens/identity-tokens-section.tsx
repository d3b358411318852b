import { Badge, type BadgeTone } from '@/components/ui/badge'
import { Card } from '@/components/ui/card'
import { formatAgo, formatDate, formatDateTime } from '@/components/ui/format'
import { CreateToken, TokenActions } from '@/components/api-tokens/token-dialogs'
import { listIdentityTokens, mayManageIdentityTokens } from '@/lib/api-tokens/identity-tokens'
import type { TokenStatus } from '@/lib/api-tokens/schemas'
import type { UserCtx } from '@/lib/auth/org-context'

type IdentityRef = { id: string; name: string; status: string; ownerId: string | null; backupOwnerId: string | null }

const STATUS_TONE: Record<TokenStatus, BadgeTone> = { active: 'green', expired: 'amber', revoked: 'gray' }

/** The identity's own API tokens (each reaches this identity only), for its owner, backup owner and admins; nobody else sees the section. */
export async function IdentityTokensSection({ ctx, identity, now }: { ctx: UserCtx; identity: IdentityRef; now: number }) {
  if (!mayManageIdentityTokens(ctx, identity)) return null
  const tokens = await listIdentityTokens(ctx, identity.id, new Date(now))
  const active = tokens.filter((t) => t.status === 'active').length
  return (
    <Card
      title={`API tokens (${active} active)`}
      action={identity.status !== 'deleted' ? <CreateToken orgSlug={ctx.org.slug} identityId={identity.id} /> : null}
    >
      <div data-testid="identity-tokens">
        {tokens.length === 0 ? (
          <p className="text-sm text-slate-500" data-testid="identity-tokens-empty">
            No tokens. A token made here calls the Custodian API for this identity only: it reads the identity and its credentials, and nothing else.
          </p>
        ) : (
          <ul className="divide-y divide-slate-100">
            {tokens.map((t) => (
              <li key={t.id} className="flex flex-wrap items-start justify-between gap-2 py-2" data-token-name={t.name} data-status={t.status}>
                <div className="min-w-0">
                  <div className="flex flex-wrap items-center gap-2">
                    <span className="font-medium text-slate-900">{t.name}</span>
                    <code className="font-mono text-xs text-slate-500">{t.prefix}</code>
                    <Badge tone={STATUS_TONE[t.status]}>{t.status}</Badge>
                  </div>
                  <p className="mt-0.5 text-xs text-slate-500">
                    {t.scopes.join(', ')} · expires {formatDate(t.expiresAt)}
                    {t.allowedIps.length ? ` · from ${t.allowedIps.join(', ')}` : ''} ·{' '}
                    {t.lastUsedAt ? (
                      <span title={formatDateTime(t.lastUsedAt)}>
                        used {formatAgo(t.lastUsedAt, now)}
                        {t.lastUsedIp ? ` from ${t.lastUsedIp}` : ''}
                      </span>
                    ) : (
                      'never used'
                    )}
                    {t.previousValidUntil ? ` · old secret until ${formatDateTime(t.previousValidUntil)}` : ''}
                  </p>
                </div>
                {t.status === 'active' ? <TokenActions orgSlug={ctx.org.slug} tokenId={t.id} name={t.name} identityId={identity.id} /> : null}
              </li>
            ))}
          </ul>
        )}
      </div>
    </Card>
  )
}
