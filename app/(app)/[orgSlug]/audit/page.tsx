import type { Metadata } from 'next'
import Link from 'next/link'
import { Badge } from '@/components/ui/badge'
import { EmptyState } from '@/components/ui/empty-state'
import { Forbidden } from '@/components/ui/forbidden'
import { formatDateTime, formatNumber } from '@/components/ui/format'
import { PageHeader } from '@/components/ui/page-header'
import { pageAllows, pageContext } from '@/lib/auth/session'
import { listAuditEvents } from '@/lib/audit/queries'
import { auditListSchema } from '@/lib/audit/schemas'
import { VerifyChainButton } from './verify-button'

export const metadata: Metadata = { title: 'Audit log' }

export default async function AuditPage({ params, searchParams }: { params: Promise<{ orgSlug: string }>; searchParams: Promise<Record<string, string | undefined>> }) {
  const { orgSlug } = await params
  const ctx = await pageContext(orgSlug)
  if (!(await pageAllows(ctx, 'audit:read', 'audit'))) return <Forbidden orgSlug={ctx.org.slug} what="the audit log" />
  const sp = await searchParams
  const p = auditListSchema.parse(sp)
  const { rows, total, actions } = await listAuditEvents(ctx, p)
  const pages = Math.max(1, Math.ceil(total / p.size))
  const href = (changes: Record<string, string | number | undefined>) => {
    const q = new URLSearchParams()
    for (const [k, v] of Object.entries({ ...sp, ...changes })) if (v !== undefined && v !== '') q.set(k, String(v))
    return `?${q.toString()}`
  }
  return (
    <>
      <PageHeader
        title="Audit log"
        description="Every change and every refused attempt, hash-chained per organization."
        actions={<VerifyChainButton orgSlug={ctx.org.slug} />}
      />
      <form className="mb-4 flex flex-wrap items-end gap-2 text-sm" role="search">
        <label className="flex flex-col gap-1">
          <span className="text-xs text-slate-500">Action</span>
          <select name="action" defaultValue={p.action ?? ''} className="rounded-md border border-slate-300 bg-white py-1.5 pl-2 pr-7">
            <option value="">Any</option>
            {actions.map((a) => <option key={a} value={a}>{a}</option>)}
          </select>
        </label>
        <label className="flex flex-col gap-1">
          <span className="text-xs text-slate-500">Outcome</span>
          <select name="outcome" defaultValue={p.outcome ?? ''} className="rounded-md border border-slate-300 bg-white py-1.5 pl-2 pr-7">
            <option value="">Any</option><option value="success">Success</option><option value="denied">Denied</option><option value="failure">Failure</option>
          </select>
        </label>
        <label className="flex flex-col gap-1">
          <span className="text-xs text-slate-500">Actor</span>
          <input name="actor" defaultValue={p.actor ?? ''} placeholder="e-mail or token" className="rounded-md border border-slate-300 px-2 py-1.5" />
        </label>
        <label className="flex flex-col gap-1"><span className="text-xs text-slate-500">From</span><input type="date" name="from" defaultValue={p.from ?? ''} className="rounded-md border border-slate-300 px-2 py-1" /></label>
        <label className="flex flex-col gap-1"><span className="text-xs text-slate-500">To</span><input type="date" name="to" defaultValue={p.to ?? ''} className="rounded-md border border-slate-300 px-2 py-1" /></label>
        <button className="rounded-md bg-indigo-600 px-3 py-1.5 font-medium text-white hover:bg-indigo-500">Filter</button>
        <Link href="?" className="px-2 py-1.5 text-indigo-700 hover:underline">Reset</Link>
      </form>
      <div className="overflow-hidden rounded-lg border border-slate-200 bg-white shadow-sm">
        {rows.length === 0 ? (
          <EmptyState title="No audit events match">Changes made in Custodian appear here as they happen.</EmptyState>
        ) : (
          <div className="overflow-x-auto">
          <table className="min-w-full text-sm" data-testid="audit-table">
            <thead className="bg-slate-50 text-left text-xs uppercase tracking-wide text-slate-500">
              <tr><th scope="col" className="px-4 py-2">#</th><th scope="col" className="px-4">When</th><th scope="col" className="px-4">Actor</th><th scope="col" className="px-4">Action</th><th scope="col" className="px-4">Target</th><th scope="col" className="px-4">Outcome</th><th scope="col" className="px-4">Justification</th></tr>
            </thead>
            <tbody className="divide-y divide-slate-100">
              {rows.map((e) => (
                <tr key={e.id} className="hover:bg-slate-50">
                  <td className="px-4 py-2 tabular-nums text-slate-500">{e.seq}</td>
                  <td className="whitespace-nowrap px-4">{formatDateTime(e.at)}</td>
                  <td className="px-4">{e.actorLabel} <span className="text-xs text-slate-500">{e.actorType}</span></td>
                  <td className="px-4 font-mono text-xs whitespace-nowrap">{e.action}</td>
                  <td className="px-4 py-2">
                    {e.targetType === 'identity' && e.targetId ? <Link className="text-indigo-700 hover:underline" href={`/${ctx.org.slug}/identities/${e.targetId}`}>{e.targetLabel ?? e.targetId}</Link> : <span title={e.targetId ?? undefined}>{e.targetLabel ?? e.targetId ?? '—'}</span>}
                    {e.change ? <p className="text-xs text-slate-500" data-testid="audit-change">{e.change}</p> : null}
                  </td>
                  <td className="px-4"><Badge tone={e.outcome === 'success' ? 'green' : e.outcome === 'denied' ? 'amber' : 'red'}>{e.outcome}</Badge></td>
                  <td className="min-w-48 max-w-sm px-4 py-2 whitespace-normal break-words text-slate-600"><span className="line-clamp-3" title={e.justification ?? ''}>{e.justification ?? ''}</span></td>
                </tr>
              ))}
            </tbody>
          </table>
          </div>
        )}
        <div className="flex items-center justify-between border-t border-slate-100 px-4 py-2 text-sm text-slate-600">
          <span>{formatNumber(total)} events · page {p.page} of {formatNumber(pages)}</span>
          <span className="flex gap-2">
            {p.page > 1 ? <Link className="rounded border border-slate-300 px-2 py-1 hover:bg-slate-50" href={href({ page: p.page - 1 })}>Previous</Link> : null}
            {p.page < pages ? <Link className="rounded border border-slate-300 px-2 py-1 hover:bg-slate-50" href={href({ page: p.page + 1 })}>Next</Link> : null}
          </span>
        </div>
      </div>
    </>
  )
}
