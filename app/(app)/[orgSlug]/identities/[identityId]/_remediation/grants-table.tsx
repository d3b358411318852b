'use client'
import { Badge } from '@/components/ui/badge'
import { Button } from '@/components/ui/button'
import { formatAgo, formatDate, formatLastUsed } from '@/components/ui/format'
import { requestRemediationAction } from '@/lib/remediation/actions'
import { createOwnerRequestAction } from '@/lib/requests/actions'
import { RevocationTable, StatusCell, underWay, useRevocationTable } from './selection'
import type { GrantRow, RemediationContext, RemediationDto } from './types'

export function GrantsTable({ c, grants, latest }: { c: RemediationContext; grants: GrantRow[]; latest: Record<string, RemediationDto> }) {
  const actions = c.canRemediate || c.canRequest
  const revocable = (g: GrantRow) => g.status === 'active' && !underWay(c, latest, g.id)
  const t = useRevocationTable(
    c,
    'grant',
    grants.filter(revocable).map((g) => g.id),
  )
  const setSpec = t.setSpec

  const revokeOne = (g: GrantRow) =>
    setSpec({
      title: 'Revoke grant',
      summary: (
        <>
          Revoke <span className="font-mono">{g.permission}</span> on <strong>{g.resource}</strong> from <strong>{c.identityName}</strong>
          {g.lastUsedAt && c.now - Date.parse(g.lastUsedAt) < 7 * 86_400_000 ? (
            <span className="text-rose-700"> — it was used {formatAgo(g.lastUsedAt, c.now)}</span>
          ) : null}
          .
        </>
      ),
      confirmLabel: 'Revoke',
      danger: true,
      submit: (justification) =>
        requestRemediationAction({ orgSlug: c.orgSlug, target: { kind: 'revoke_grant', identityId: c.identityId, grantId: g.id }, justification }),
    })
  // Owners ask (or, where the organization allows it and the grant is not privileged, act at once).
  const ownerRevoke = (g: GrantRow) => {
    const direct = c.ownersActDirectly && !g.privileged
    setSpec({
      title: direct ? 'Revoke grant' : 'Request revocation',
      summary: direct ? (
        <>
          Revoke <span className="font-mono">{g.permission}</span> on <strong>{g.resource}</strong> from <strong>{c.identityName}</strong>. Your organization
          lets owners revoke non-privileged access directly: it runs now and is recorded in the audit log.
        </>
      ) : (
        <>
          Ask governance to revoke <span className="font-mono">{g.permission}</span> on <strong>{g.resource}</strong> from <strong>{c.identityName}</strong>
          {g.privileged ? ' (privileged access always needs their approval)' : ''}. You are told when they decide.
        </>
      ),
      confirmLabel: direct ? 'Revoke' : 'Send request',
      danger: direct,
      submit: (justification) => createOwnerRequestAction({ orgSlug: c.orgSlug, identityId: c.identityId, kind: 'revoke_grant', grantId: g.id, justification }),
    })
  }
  return (
    <RevocationTable
      t={t}
      testId="grants"
      scroll="max-h-[28rem] overflow-auto"
      columns={['Permission', 'Resource', 'Granted', 'Last used', 'Status']}
      actions={actions}
    >
      {grants.map((g) => {
        const canRevoke = revocable(g)
        return (
          <tr key={g.id} data-grant-id={g.id}>
            {t.rowCheckbox(g.id, `${g.permission} on ${g.resource}`, canRevoke)}
            <td className="py-2 pr-4 font-mono text-xs">
              {g.permission} {g.privileged ? <Badge tone="red">privileged</Badge> : null}
            </td>
            <td className="pr-4">
              {g.resource} <span className="text-xs text-slate-500">{g.resourceType}</span>
            </td>
            <td className="pr-4">{formatDate(g.createdAt)}</td>
            <td className="pr-4">{formatLastUsed(g.lastUsedAt, g.usageReported, c.now)}</td>
            <StatusCell c={c} id={g.id} status={g.status} latest={latest[g.id]} />
            {c.canRemediate ? (
              <td className="py-1 text-right">
                {canRevoke ? (
                  <Button size="sm" variant="secondary" onClick={() => revokeOne(g)} aria-label={`Revoke ${g.permission} on ${g.resource}`}>
                    Revoke…
                  </Button>
                ) : null}
              </td>
            ) : c.canRequest ? (
              <td className="whitespace-nowrap py-1 text-right">
                {canRevoke ? (
                  c.ownersActDirectly && !g.privileged ? (
                    <Button size="sm" variant="secondary" onClick={() => ownerRevoke(g)} aria-label={`Revoke ${g.permission} on ${g.resource}`}>
                      Revoke…
                    </Button>
                  ) : (
                    <Button size="sm" variant="secondary" onClick={() => ownerRevoke(g)} aria-label={`Request revocation of ${g.permission} on ${g.resource}`}>
                      Request revocation…
                    </Button>
                  )
                ) : null}
              </td>
            ) : null}
          </tr>
        )
      })}
    </RevocationTable>
  )
}
