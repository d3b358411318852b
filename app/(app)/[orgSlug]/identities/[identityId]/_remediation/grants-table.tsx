'use client'
import { useRouter } from 'next/navigation'
import { useState } from 'react'
import { Checkbox } from '@/components/data-table/checkbox'
import { Badge } from '@/components/ui/badge'
import { Button } from '@/components/ui/button'
import { formatAgo, formatDate, formatLastUsed } from '@/components/ui/format'
import { previewRemediationAction, requestBulkRemediationAction, requestRemediationAction } from '@/lib/remediation/actions'
import { createOwnerRequestAction } from '@/lib/requests/actions'
import { ConfirmDialog, type ConfirmSpec } from './confirm-dialog'
import { PreviewText } from './preview-text'
import { RemediationStatus } from './remediation-status'
import { RequestStatus } from './request-status'
import type { GrantRow, RemediationContext, RemediationDto } from './types'

export function GrantsTable({ c, grants, latest }: { c: RemediationContext; grants: GrantRow[]; latest: Record<string, RemediationDto> }) {
  const router = useRouter()
  const [selected, setSelected] = useState<Set<string>>(new Set())
  const [spec, setSpec] = useState<ConfirmSpec | null>(null)
  const open = (id: string) => latest[id]?.status === 'pending' || latest[id]?.status === 'manual' || !!c.pendingRequests[id]
  const actions = c.canRemediate || c.canRequest
  const selectable = grants.filter((g) => g.status === 'active' && !open(g.id))
  const allOn = selectable.length > 0 && selectable.every((g) => selected.has(g.id))

  const revokeOne = (g: GrantRow) =>
    setSpec({
      title: 'Revoke grant',
      summary: <>Revoke <span className="font-mono">{g.permission}</span> on <strong>{g.resource}</strong> from <strong>{c.identityName}</strong>{g.lastUsedAt && c.now - Date.parse(g.lastUsedAt) < 7 * 86_400_000 ? <span className="text-rose-700"> — it was used {formatAgo(g.lastUsedAt, c.now)}</span> : null}.</>,
      confirmLabel: 'Revoke',
      danger: true,
      submit: (justification) => requestRemediationAction({ orgSlug: c.orgSlug, target: { kind: 'revoke_grant', identityId: c.identityId, grantId: g.id }, justification }),
    })
  // Owners ask (or, where the organization allows it and the grant is not privileged, act at once).
  const ownerRevoke = (g: GrantRow) => {
    const direct = c.ownersActDirectly && !g.privileged
    setSpec({
      title: direct ? 'Revoke grant' : 'Request revocation',
      summary: direct ? (
        <>Revoke <span className="font-mono">{g.permission}</span> on <strong>{g.resource}</strong> from <strong>{c.identityName}</strong>. Your organization lets owners revoke non-privileged access directly: it runs now and is recorded in the audit log.</>
      ) : (
        <>Ask governance to revoke <span className="font-mono">{g.permission}</span> on <strong>{g.resource}</strong> from <strong>{c.identityName}</strong>{g.privileged ? ' (privileged access always needs their approval)' : ''}. You are told when they decide.</>
      ),
      confirmLabel: direct ? 'Revoke' : 'Send request',
      danger: direct,
      submit: (justification) => createOwnerRequestAction({ orgSlug: c.orgSlug, identityId: c.identityId, kind: 'revoke_grant', grantId: g.id, justification }),
    })
  }
  const revokeSelected = () => {
    const grantIds = [...selected]
    setSpec({
      title: `Revoke ${grantIds.length} grant${grantIds.length === 1 ? '' : 's'}`,
      summary: <>Selected grants of <strong>{c.identityName}</strong> will be revoked at {c.sourceName}.</>,
      confirmLabel: `Revoke ${grantIds.length}`,
      danger: true,
      preview: async () => {
        const r = await previewRemediationAction({ orgSlug: c.orgSlug, identityId: c.identityId, grantIds, credentialIds: [] })
        return r.ok ? <PreviewText p={r.data} noun="grant" /> : <span className="text-rose-700">{r.error}</span>
      },
      submit: (justification) => requestBulkRemediationAction({ orgSlug: c.orgSlug, identityId: c.identityId, grantIds, credentialIds: [], justification }),
    })
  }
  const close = (done: boolean) => {
    setSpec(null)
    if (done) {
      setSelected(new Set())
      router.refresh()
    }
  }

  return (
    <div>
      {c.canRemediate && selected.size > 0 ? (
        <div className="mb-2 flex items-center justify-between rounded-md bg-indigo-50 px-3 py-2 text-sm" data-testid="grant-selection">
          <span>{selected.size} selected</span>
          <span className="flex gap-2">
            <Button size="sm" variant="ghost" onClick={() => setSelected(new Set())}>Clear</Button>
            <Button size="sm" variant="danger" onClick={revokeSelected}>Revoke selected…</Button>
          </span>
        </div>
      ) : null}
      <div className="max-h-[28rem] overflow-auto">
        <table className="min-w-full text-sm" data-testid="grants">
          <thead className="sticky top-0 bg-white text-left text-xs uppercase tracking-wide text-slate-500">
            <tr>
              {c.canRemediate ? (
                <th scope="col" className="w-8 py-2 pr-2">
                  <Checkbox label="Select all revocable grants" checked={allOn} indeterminate={selected.size > 0} disabled={selectable.length === 0}
                    onChange={() => setSelected(allOn ? new Set() : new Set(selectable.map((g) => g.id)))} />
                </th>
              ) : null}
              <th scope="col" className="py-2 pr-4">Permission</th><th scope="col" className="pr-4">Resource</th><th scope="col" className="pr-4">Granted</th><th scope="col" className="pr-4">Last used</th><th scope="col" className="pr-4">Status</th>
              {actions ? <th scope="col"><span className="sr-only">Actions</span></th> : null}
            </tr>
          </thead>
          <tbody className="divide-y divide-slate-100">
            {grants.map((g) => {
              const canRevoke = g.status === 'active' && !open(g.id)
              return (
                <tr key={g.id} data-grant-id={g.id}>
                  {c.canRemediate ? (
                    <td className="py-2 pr-2">
                      <Checkbox label={`Select ${g.permission} on ${g.resource}`} checked={selected.has(g.id)} disabled={!canRevoke}
                        onChange={() => setSelected((s) => { const n = new Set(s); if (n.has(g.id)) n.delete(g.id); else n.add(g.id); return n })} />
                    </td>
                  ) : null}
                  <td className="py-2 pr-4 font-mono text-xs">{g.permission} {g.privileged ? <Badge tone="red">privileged</Badge> : null}</td>
                  <td className="pr-4">{g.resource} <span className="text-xs text-slate-500">{g.resourceType}</span></td>
                  <td className="pr-4">{formatDate(g.createdAt)}</td>
                  <td className="pr-4">{formatLastUsed(g.lastUsedAt, g.usageReported, c.now)}</td>
                  <td className="pr-4">
                    <span className="flex flex-wrap items-center gap-1">
                      <Badge tone={g.status === 'active' ? 'green' : 'gray'}>{g.status}</Badge>
                      <RemediationStatus r={latest[g.id]} />
                      <RequestStatus r={c.pendingRequests[g.id]} queueHref={c.canRemediate ? `/${c.orgSlug}/requests` : undefined} />
                    </span>
                  </td>
                  {c.canRemediate ? (
                    <td className="py-1 text-right">
                      {canRevoke ? <Button size="sm" variant="secondary" onClick={() => revokeOne(g)} aria-label={`Revoke ${g.permission} on ${g.resource}`}>Revoke…</Button> : null}
                    </td>
                  ) : c.canRequest ? (
                    <td className="whitespace-nowrap py-1 text-right">
                      {canRevoke ? (
                        c.ownersActDirectly && !g.privileged ? (
                          <Button size="sm" variant="secondary" onClick={() => ownerRevoke(g)} aria-label={`Revoke ${g.permission} on ${g.resource}`}>Revoke…</Button>
                        ) : (
                          <Button size="sm" variant="secondary" onClick={() => ownerRevoke(g)} aria-label={`Request revocation of ${g.permission} on ${g.resource}`}>Request revocation…</Button>
                        )
                      ) : null}
                    </td>
                  ) : null}
                </tr>
              )
            })}
          </tbody>
        </table>
      </div>
      <ConfirmDialog spec={spec} onClose={close} />
    </div>
  )
}
