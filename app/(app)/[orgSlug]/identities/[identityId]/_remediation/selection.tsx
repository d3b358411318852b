'use client'
import { useState, type ReactNode } from 'react'
import { Checkbox } from '@/components/data-table/checkbox'
import { Badge } from '@/components/ui/badge'
import { Button } from '@/components/ui/button'
import { countOf } from '@/components/ui/format'
import { ACCESS_STATUS_TONES, toneOf } from '@/components/ui/tones'
import { previewRemediationAction, requestBulkRemediationAction } from '@/lib/remediation/actions'
import { ConfirmDialog, type ConfirmSpec } from './confirm-dialog'
import { PreviewText } from './preview-text'
import { RemediationStatus } from './remediation-status'
import { RequestStatus } from './request-status'
import type { RemediationContext, RemediationDto } from './types'

type Kind = 'grant' | 'credential'

/** A remediation or an owner's request is already under way on this row. */
export function underWay(c: RemediationContext, latest: Record<string, RemediationDto>, id: string) {
  return latest[id]?.status === 'pending' || latest[id]?.status === 'manual' || !!c.pendingRequests[id]
}

/**
 * What the grants and credentials tables share: the rows picked for a bulk revocation, the confirmation shown
 * (one row or the selection), the selection bar, the header and row checkboxes, and the status cell.
 */
export function useRevocationTable(c: RemediationContext, kind: Kind, selectableIds: string[]) {
  const [selected, setSelected] = useState<Set<string>>(new Set())
  const [spec, setSpec] = useState<ConfirmSpec | null>(null)
  const allOn = selectableIds.length > 0 && selectableIds.every((id) => selected.has(id))
  const toggle = (id: string) =>
    setSelected((s) => {
      const n = new Set(s)
      if (n.has(id)) n.delete(id)
      else n.add(id)
      return n
    })
  const revokeSelected = () => {
    const ids = [...selected]
    const input = kind === 'grant' ? { grantIds: ids, credentialIds: [] } : { grantIds: [], credentialIds: ids }
    setSpec({
      title: `Revoke ${countOf(ids.length, kind)}`,
      summary: (
        <>
          Selected {kind}s of <strong>{c.identityName}</strong> will be revoked at {c.sourceName}.
        </>
      ),
      confirmLabel: `Revoke ${ids.length}`,
      danger: true,
      preview: async () => {
        const r = await previewRemediationAction({ orgSlug: c.orgSlug, identityId: c.identityId, ...input })
        return r.ok ? <PreviewText p={r.data} noun={kind} /> : <span className="text-rose-700">{r.error}</span>
      },
      submit: (justification) => requestBulkRemediationAction({ orgSlug: c.orgSlug, identityId: c.identityId, ...input, justification }),
    })
  }
  const close = (done: boolean) => {
    setSpec(null)
    if (done) setSelected(new Set())
  }

  const bar =
    c.canRemediate && selected.size > 0 ? (
      <div className="mb-2 flex items-center justify-between rounded-md bg-indigo-50 px-3 py-2 text-sm" data-testid={`${kind}-selection`}>
        <span>{selected.size} selected</span>
        <span className="flex gap-2">
          <Button size="sm" variant="ghost" onClick={() => setSelected(new Set())}>
            Clear
          </Button>
          <Button size="sm" variant="danger" onClick={revokeSelected}>
            Revoke selected…
          </Button>
        </span>
      </div>
    ) : null
  const headerCheckbox = c.canRemediate ? (
    <th scope="col" className="w-8 py-2 pr-2">
      <Checkbox
        label={`Select all revocable ${kind}s`}
        checked={allOn}
        indeterminate={selected.size > 0}
        disabled={selectableIds.length === 0}
        onChange={() => setSelected(allOn ? new Set() : new Set(selectableIds))}
      />
    </th>
  ) : null
  const rowCheckbox = (id: string, label: string, enabled: boolean) =>
    c.canRemediate ? (
      <td className="py-2 pr-2">
        <Checkbox label={`Select ${label}`} checked={selected.has(id)} disabled={!enabled} onChange={() => toggle(id)} />
      </td>
    ) : null

  return { spec, setSpec, close, bar, headerCheckbox, rowCheckbox }
}

/** The row's own status, then its latest remediation and any owner's request waiting on it. */
export function StatusCell({ c, id, status, latest }: { c: RemediationContext; id: string; status: string; latest: RemediationDto | undefined }) {
  return (
    <td className="pr-4">
      <span className="flex flex-wrap items-center gap-1">
        <Badge tone={toneOf(ACCESS_STATUS_TONES, status)}>{status}</Badge>
        <RemediationStatus r={latest} />
        <RequestStatus r={c.pendingRequests[id]} queueHref={c.canRemediate ? `/${c.orgSlug}/requests` : undefined} />
      </span>
    </td>
  )
}

/** The table of grants or credentials: its selection bar, header (with the select-all box), rows and confirmation. */
export function RevocationTable({
  t,
  testId,
  scroll,
  columns,
  actions,
  children,
}: {
  t: ReturnType<typeof useRevocationTable>
  testId: string
  scroll: string
  columns: string[]
  actions: boolean
  children: ReactNode
}) {
  return (
    <div>
      {t.bar}
      <div className={scroll}>
        <table className="min-w-full text-sm" data-testid={testId}>
          <thead className="sticky top-0 bg-white text-left text-xs uppercase tracking-wide text-slate-500">
            <tr>
              {t.headerCheckbox}
              {columns.map((h, i) => (
                <th key={h} scope="col" className={i === 0 ? 'py-2 pr-4' : 'pr-4'}>
                  {h}
                </th>
              ))}
              {actions ? (
                <th scope="col">
                  <span className="sr-only">Actions</span>
                </th>
              ) : null}
            </tr>
          </thead>
          <tbody className="divide-y divide-slate-100">{children}</tbody>
        </table>
      </div>
      <ConfirmDialog spec={t.spec} onClose={t.close} />
    </div>
  )
}
