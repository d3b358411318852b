'use client'
import { Badge } from '@/components/ui/badge'
import { Button } from '@/components/ui/button'
import { formatAgo, formatDate, formatLastUsed } from '@/components/ui/format'
import { requestRemediationAction } from '@/lib/remediation/actions'
import { createOwnerRequestAction } from '@/lib/requests/actions'
import { RevocationTable, StatusCell, underWay, useRevocationTable } from './selection'
import type { CredentialRow, RemediationContext, RemediationDto } from './types'

const DAY = 86_400_000
/** What an owner does to one credential: directly, or as a request when the org asks for approval. */
const OWNER_ACTS = [
  { kind: 'rotate_credential', direct: 'Rotate', request: 'Request rotation' },
  { kind: 'revoke_credential', direct: 'Revoke', request: 'Request revocation' },
] as const

export function CredentialsTable({
  c,
  credentials,
  latest,
  canRotate,
}: {
  c: RemediationContext
  credentials: CredentialRow[]
  latest: Record<string, RemediationDto>
  canRotate: boolean
}) {
  const actions = c.canRemediate || c.canRequest
  const direct = c.ownersActDirectly && !c.identityPrivileged
  const actionable = (x: CredentialRow) => x.status !== 'revoked' && !underWay(c, latest, x.id)
  const t = useRevocationTable(
    c,
    'credential',
    credentials.filter(actionable).map((x) => x.id),
  )
  const setSpec = t.setSpec
  const name = (x: CredentialRow) => `${x.kind.replace('_', ' ')}${x.label ? ` · ${x.label}` : ''}`

  const one = (x: CredentialRow, kind: 'revoke_credential' | 'rotate_credential') =>
    setSpec({
      title: kind === 'revoke_credential' ? 'Revoke credential' : 'Rotate credential',
      summary:
        kind === 'revoke_credential' ? (
          <>
            Revoke the {name(x)} of <strong>{c.identityName}</strong> ({x.fingerprint.slice(0, 12)}…). Anything still using it stops working
            {x.lastUsedAt && c.now - Date.parse(x.lastUsedAt) < 7 * DAY ? (
              <span className="text-rose-700">; it was used {formatAgo(x.lastUsedAt, c.now)}</span>
            ) : null}
            .
          </>
        ) : (
          <>
            Rotate the {name(x)} of <strong>{c.identityName}</strong>. The new secret goes only to the destination configured for {c.sourceName}; Custodian
            never stores or shows it.
          </>
        ),
      confirmLabel: kind === 'revoke_credential' ? 'Revoke' : 'Rotate',
      danger: kind === 'revoke_credential',
      submit: (justification) =>
        requestRemediationAction({ orgSlug: c.orgSlug, target: { kind, identityId: c.identityId, credentialId: x.id }, justification }),
    })
  // Owners ask (or, where the organization allows it and the identity holds nothing privileged, act at once).
  const ownerOne = (x: CredentialRow, kind: 'revoke_credential' | 'rotate_credential') => {
    const verb = kind === 'revoke_credential' ? 'revoke' : 'rotate'
    setSpec({
      title: direct
        ? kind === 'revoke_credential'
          ? 'Revoke credential'
          : 'Rotate credential'
        : kind === 'revoke_credential'
          ? 'Request revocation'
          : 'Request rotation',
      summary: direct ? (
        <>
          {verb === 'revoke' ? 'Revoke' : 'Rotate'} the {name(x)} of <strong>{c.identityName}</strong>. Your organization lets owners act directly on
          non-privileged identities: it runs now and is recorded in the audit log.
        </>
      ) : (
        <>
          Ask governance to {verb} the {name(x)} of <strong>{c.identityName}</strong>
          {c.identityPrivileged ? ' (this identity holds privileged access, so its credentials always need their approval)' : ''}. You are told when they
          decide.
        </>
      ),
      confirmLabel: direct ? (verb === 'revoke' ? 'Revoke' : 'Rotate') : 'Send request',
      danger: direct && kind === 'revoke_credential',
      submit: (justification) => createOwnerRequestAction({ orgSlug: c.orgSlug, identityId: c.identityId, kind, credentialId: x.id, justification }),
    })
  }
  return (
    <RevocationTable
      t={t}
      testId="credentials"
      scroll="overflow-x-auto"
      columns={['Kind', 'Fingerprint', 'Created', 'Last rotated', 'Expires', 'Last used', 'Status']}
      actions={actions}
    >
      {credentials.map((x) => {
        const age = c.now - Date.parse(x.lastRotatedAt ?? x.createdAt)
        const expired = x.expiresAt && Date.parse(x.expiresAt) < c.now
        const canAct = actionable(x)
        return (
          <tr key={x.id} data-credential-id={x.id}>
            {t.rowCheckbox(x.id, name(x), canAct)}
            <td className="py-2 pr-4">
              {x.kind.replace('_', ' ')}
              {x.label ? <span className="text-slate-500"> · {x.label}</span> : null}
            </td>
            <td className="pr-4 font-mono text-xs text-slate-600" title="Salted SHA-256; the secret itself is never stored">
              {x.fingerprint.slice(0, 16)}…
            </td>
            <td className="pr-4">{formatDate(x.createdAt)}</td>
            <td className="pr-4">
              {x.lastRotatedAt ? formatDate(x.lastRotatedAt) : <span className="text-amber-700">never</span>}
              {age > 365 * DAY ? (
                <span className="ml-1">
                  <Badge tone="amber">{Math.floor(age / (365 * DAY))}y old</Badge>
                </span>
              ) : null}
            </td>
            <td className="pr-4">
              {x.expiresAt ? (
                <span className={expired ? 'text-rose-700' : ''}>
                  {formatDate(x.expiresAt)}
                  {expired ? ' (expired)' : ''}
                </span>
              ) : (
                <span className="text-slate-500">no expiry</span>
              )}
            </td>
            <td className="pr-4">{formatLastUsed(x.lastUsedAt, x.usageReported, c.now)}</td>
            <StatusCell c={c} id={x.id} status={x.status} latest={latest[x.id]} />
            {c.canRemediate ? (
              <td className="whitespace-nowrap py-1 text-right">
                {canAct ? (
                  <span className="inline-flex gap-1">
                    {canRotate ? (
                      <Button size="sm" variant="secondary" onClick={() => one(x, 'rotate_credential')} aria-label={`Rotate ${name(x)}`}>
                        Rotate…
                      </Button>
                    ) : null}
                    <Button size="sm" variant="secondary" onClick={() => one(x, 'revoke_credential')} aria-label={`Revoke ${name(x)}`}>
                      Revoke…
                    </Button>
                  </span>
                ) : null}
              </td>
            ) : c.canRequest ? (
              <td className="whitespace-nowrap py-1 text-right">
                {canAct ? (
                  <span className="inline-flex gap-1">
                    {OWNER_ACTS.filter((a) => canRotate || a.kind !== 'rotate_credential').map((a) => (
                      <Button
                        key={a.kind}
                        size="sm"
                        variant="secondary"
                        onClick={() => ownerOne(x, a.kind)}
                        aria-label={`${direct ? a.direct : `${a.request} of`} ${name(x)}`}
                      >
                        {`${direct ? a.direct : a.request}…`}
                      </Button>
                    ))}
                  </span>
                ) : null}
              </td>
            ) : null}
          </tr>
        )
      })}
    </RevocationTable>
  )
}
