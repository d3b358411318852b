import type { Metadata } from 'next'
import Link from 'next/link'
import { Badge, type BadgeTone } from '@/components/ui/badge'
import { Card } from '@/components/ui/card'
import { EmptyState } from '@/components/ui/empty-state'
import { Forbidden } from '@/components/ui/forbidden'
import { formatDateTime, formatNumber } from '@/components/ui/format'
import { PageHeader } from '@/components/ui/page-header'
import { pageAllows, pageContext } from '@/lib/auth/session'
import { can } from '@/lib/auth/permissions'
import { JOB_STATUSES, jobListSchema } from '@/lib/jobs/schemas'
import { listJobs } from '@/lib/remediation/job-admin'
import { listManualTasks } from '@/lib/remediation/queries'
import { KIND_LABELS } from '@/lib/remediation/schemas'
import { AutoRefresh } from './_components/auto-refresh'
import { MarkDoneButton } from './_components/mark-done-button'
import { RetryButton } from './_components/retry-button'

export const metadata: Metadata = { title: 'Jobs' }

const STATUS_TONE: Record<string, BadgeTone> = { queued: 'gray', running: 'blue', succeeded: 'green', retrying: 'amber', failed: 'red', canceled: 'gray' }
const REM_TONE: Record<string, BadgeTone> = { pending: 'blue', applied: 'green', manual: 'amber', failed: 'red', canceled: 'gray' }
const typeLabel = (t: string) => KIND_LABELS[t as keyof typeof KIND_LABELS] ?? t.replace(/_/g, ' ')

export default async function JobsPage({ params, searchParams }: { params: Promise<{ orgSlug: string }>; searchParams: Promise<Record<string, string | undefined>> }) {
  const { orgSlug } = await params
  const ctx = await pageContext(orgSlug)
  if (!(await pageAllows(ctx, 'job:read', 'jobs'))) return <Forbidden orgSlug={ctx.org.slug} what="jobs" />
  const sp = await searchParams
  const p = jobListSchema.parse(sp)
  const [{ rows, total, types, statuses }, tasks] = await Promise.all([listJobs(ctx, p), listManualTasks(ctx)])
  const canManage = can(ctx.role, 'job:manage')
  const canRemediate = can(ctx.role, 'identity:remediate')
  const pages = Math.max(1, Math.ceil(total / p.size))
  const base = `/${ctx.org.slug}`
  const href = (changes: Record<string, string | number | undefined>) => {
    const q = new URLSearchParams()
    for (const [k, v] of Object.entries({ ...sp, ...changes })) if (v !== undefined && v !== '') q.set(k, String(v))
    return `?${q.toString()}`
  }
  const busy = (statuses.queued ?? 0) + (statuses.running ?? 0) + (statuses.retrying ?? 0) > 0

  return (
    <>
      <PageHeader title="Jobs" description="Revocations, rotations, syncs and other background work: what ran, what is waiting, what failed and why." actions={<AutoRefresh active={busy} />} />

      <Card title={`Manual tasks (${formatNumber(tasks.total)})`} className="mb-5">
        {tasks.rows.length === 0 ? (
          <p className="text-sm text-slate-500">No task is waiting for a person. When a source cannot be acted on automatically, its revocations appear here.</p>
        ) : (
          <ul className="divide-y divide-slate-100 text-sm" data-testid="manual-tasks">
            {tasks.rows.map((t) => (
              <li key={t.id} className="flex flex-wrap items-start justify-between gap-3 py-2">
                <div className="min-w-0">
                  <p>
                    <span className="font-medium">{typeLabel(t.kind)}</span> ·{' '}
                    <Link className="text-indigo-700 hover:underline" href={`${base}/identities/${t.identityId}`}>{t.identity.name}</Link>{' '}
                    <span className="text-slate-500">in {t.identity.source.name}</span>
                  </p>
                  <p className="text-slate-700">{t.instructions}</p>
                  {t.detail ? <p className="text-xs text-slate-500">{t.detail}</p> : null}
                  <p className="text-xs text-slate-500">“{t.justification}” · requested {formatDateTime(t.createdAt)}</p>
                </div>
                {canRemediate ? <MarkDoneButton orgSlug={ctx.org.slug} remediationId={t.id} label={`${typeLabel(t.kind)} for ${t.identity.name}`} /> : null}
              </li>
            ))}
          </ul>
        )}
      </Card>

      <form className="mb-4 flex flex-wrap items-end gap-2 text-sm" role="search" aria-label="Filter jobs">
        <label className="flex flex-col gap-1">
          <span className="text-xs text-slate-500">State</span>
          <select name="status" defaultValue={p.status ?? ''} className="rounded-md border border-slate-300 bg-white py-1.5 pl-2 pr-7">
            <option value="">Any</option>
            {JOB_STATUSES.map((s) => <option key={s} value={s}>{s}{statuses[s] ? ` (${formatNumber(statuses[s])})` : ''}</option>)}
          </select>
        </label>
        <label className="flex flex-col gap-1">
          <span className="text-xs text-slate-500">Type</span>
          <select name="type" defaultValue={p.type ?? ''} className="rounded-md border border-slate-300 bg-white py-1.5 pl-2 pr-7">
            <option value="">Any</option>
            {Object.entries(types).sort().map(([t, n]) => <option key={t} value={t}>{typeLabel(t)} ({formatNumber(n)})</option>)}
          </select>
        </label>
        <input type="hidden" name="size" value={p.size} />
        <button className="rounded-md bg-indigo-600 px-3 py-1.5 font-medium text-white hover:bg-indigo-500">Filter</button>
        <Link href="?" className="px-2 py-1.5 text-indigo-700 hover:underline">Reset</Link>
      </form>

      <div className="overflow-hidden rounded-lg border border-slate-200 bg-white shadow-sm">
        {rows.length === 0 ? (
          <EmptyState title={p.status || p.type ? 'No jobs match' : 'No jobs yet'}>Revocations and rotations requested from an identity page run here.</EmptyState>
        ) : (
          <div className="overflow-x-auto">
            <table className="min-w-full text-sm" data-testid="jobs-table" aria-label="Jobs">
              <thead className="bg-slate-50 text-left text-xs uppercase tracking-wide text-slate-500">
                <tr>
                  <th scope="col" className="px-4 py-2">Type</th><th scope="col" className="px-4">Target</th><th scope="col" className="px-4">State</th>
                  <th scope="col" className="px-4">Attempts</th><th scope="col" className="px-4">Progress</th><th scope="col" className="px-4">Last error</th>
                  <th scope="col" className="px-4">Created</th><th scope="col" className="px-4">Next run / finished</th>
                  {canManage ? <th scope="col" className="px-4"><span className="sr-only">Actions</span></th> : null}
                </tr>
              </thead>
              <tbody className="divide-y divide-slate-100">
                {rows.map((j) => (
                  <tr key={j.id} data-job-id={j.id} className="hover:bg-slate-50">
                    <td className="whitespace-nowrap px-4 py-2">{typeLabel(j.type)}</td>
                    <td className="px-4">
                      {j.target ? (
                        <span className="flex flex-wrap items-center gap-1" data-testid="job-target">
                          <span>
                            {j.target.href && !j.target.identity ? <Link className="text-indigo-700 hover:underline" href={`${base}${j.target.href}`}>{j.target.label}</Link> : <span>{j.target.label}</span>}
                            {j.target.identity ? <> · <Link className="text-indigo-700 hover:underline" href={`${base}/identities/${j.target.identity.id}`}>{j.target.identity.name}</Link></> : null}
                          </span>
                          {j.target.remediationStatus ? <Badge tone={REM_TONE[j.target.remediationStatus] ?? 'gray'}>{j.target.remediationStatus}</Badge> : null}
                          {j.target.simulated ? <Badge tone="violet" title="Demo source: nothing changed outside Custodian">simulated</Badge> : null}
                        </span>
                      ) : <span className="text-slate-500">—</span>}
                    </td>
                    <td className="px-4"><Badge tone={STATUS_TONE[j.status] ?? 'gray'}>{j.status}</Badge></td>
                    <td className="px-4 tabular-nums">{j.attempts} / {j.maxAttempts}</td>
                    <td className="px-4 tabular-nums">{j.total > 0 ? `${formatNumber(j.progress)} / ${formatNumber(j.total)}` : '—'}</td>
                    <td className="max-w-xs px-4 text-rose-700"><span className="line-clamp-2" title={j.lastError ?? ''}>{j.lastError ?? ''}</span></td>
                    <td className="whitespace-nowrap px-4 text-slate-600">{formatDateTime(j.createdAt)}</td>
                    <td className="whitespace-nowrap px-4 text-slate-600">{j.finishedAt ? formatDateTime(j.finishedAt) : j.status === 'queued' || j.status === 'retrying' ? `due ${formatDateTime(j.runAt)}` : '—'}</td>
                    {canManage ? <td className="px-4 text-right">{j.status === 'failed' ? <RetryButton orgSlug={ctx.org.slug} jobId={j.id} /> : null}</td> : null}
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
        <div className="flex items-center justify-between border-t border-slate-100 px-4 py-2 text-sm text-slate-600">
          <span>{formatNumber(total)} jobs · page {p.page} of {formatNumber(pages)}</span>
          <span className="flex gap-2">
            {p.page > 1 ? <Link className="rounded border border-slate-300 px-2 py-1 hover:bg-slate-50" href={href({ page: p.page - 1 })}>Previous</Link> : null}
            {p.page < pages ? <Link className="rounded border border-slate-300 px-2 py-1 hover:bg-slate-50" href={href({ page: p.page + 1 })}>Next</Link> : null}
          </span>
        </div>
      </div>
    </>
  )
}
