import type { Metadata } from 'next'
import Link from 'next/link'
import { type ListPageProps, paging } from '@/components/data-table/search-params'
import { FilterForm } from '@/components/data-table/filter-form'
import { listColumns } from '@/components/data-table/list-columns'
import { ListTable } from '@/components/data-table/list-table'
import { Badge } from '@/components/ui/badge'
import { Card } from '@/components/ui/card'
import { EmptyState } from '@/components/ui/empty-state'
import { Field } from '@/components/ui/field'
import { Forbidden } from '@/components/ui/forbidden'
import { formatDateTime, formatNumber } from '@/components/ui/format'
import { PageHeader } from '@/components/ui/page-header'
import { Select } from '@/components/ui/select'
import { JOB_STATUS_TONES, REMEDIATION_TONES, toneOf } from '@/components/ui/tones'
import { pageAllows, pageContext } from '@/lib/auth/session'
import { can } from '@/lib/auth/permissions'
import { JOB_STATUSES } from '@/lib/jobs/schemas'
import { listJobs } from '@/lib/remediation/job-admin'
import { listManualTasks } from '@/lib/remediation/queries'
import { KIND_LABELS } from '@/lib/remediation/schemas'
import { AutoRefresh } from './_components/auto-refresh'
import { MarkDoneButton } from './_components/mark-done-button'
import { RetryButton } from './_components/retry-button'
import { parseJobSearchParams } from './search-params'

export const metadata: Metadata = { title: 'Jobs' }

const typeLabel = (t: string) => KIND_LABELS[t as keyof typeof KIND_LABELS] ?? t.replace(/_/g, ' ')
const COLUMNS = listColumns({
  type: 'Type',
  target: ['Target', 'whitespace-normal'],
  status: 'State',
  attempts: ['Attempts', 'tabular-nums'],
  progress: ['Progress', 'tabular-nums'],
  lastError: ['Last error', 'max-w-xs whitespace-normal text-rose-700'],
  createdAt: ['Created', 'text-slate-600'],
  next: ['Next run / finished', 'text-slate-600'],
})

export default async function JobsPage({ params, searchParams }: ListPageProps) {
  const ctx = await pageContext((await params).orgSlug)
  if (!(await pageAllows(ctx, 'job:read', 'jobs'))) return <Forbidden orgSlug={ctx.org.slug} what="jobs" />
  const p = parseJobSearchParams(await searchParams)
  const [{ rows, total, types, statuses }, tasks] = await Promise.all([listJobs(ctx, p), listManualTasks(ctx)])
  const canManage = can(ctx.role, 'job:manage')
  const canRemediate = can(ctx.role, 'identity:remediate')
  const base = `/${ctx.org.slug}`
  const busy = (statuses.queued ?? 0) + (statuses.running ?? 0) + (statuses.retrying ?? 0) > 0

  return (
    <>
      <PageHeader
        title="Jobs"
        description="Revocations, rotations, syncs and other background work: what ran, what is waiting, what failed and why."
        actions={<AutoRefresh active={busy} />}
      />

      <Card title={`Manual tasks (${formatNumber(tasks.total)})`} className="mb-5">
        {tasks.rows.length === 0 ? (
          <p className="text-sm text-slate-500">
            No task is waiting for a person. When a source cannot be acted on automatically, its revocations appear here.
          </p>
        ) : (
          <ul className="divide-y divide-slate-100 text-sm" data-testid="manual-tasks">
            {tasks.rows.map((t) => (
              <li key={t.id} className="flex flex-wrap items-start justify-between gap-3 py-2">
                <div className="min-w-0">
                  <p>
                    <span className="font-medium">{typeLabel(t.kind)}</span> ·{' '}
                    <Link className="text-indigo-700 hover:underline" href={`${base}/identities/${t.identityId}`}>
                      {t.identity.name}
                    </Link>{' '}
                    <span className="text-slate-500">in {t.identity.source.name}</span>
                  </p>
                  <p className="text-slate-700">{t.instructions}</p>
                  {t.detail ? <p className="text-xs text-slate-500">{t.detail}</p> : null}
                  <p className="text-xs text-slate-500">
                    “{t.justification}” · requested {formatDateTime(t.createdAt)}
                  </p>
                </div>
                {canRemediate ? <MarkDoneButton orgSlug={ctx.org.slug} remediationId={t.id} label={`${typeLabel(t.kind)} for ${t.identity.name}`} /> : null}
              </li>
            ))}
          </ul>
        )}
      </Card>

      <FilterForm label="Filter jobs" keep={{ size: p.size }} resetHref="?">
        <Field label="State">
          <Select
            name="status"
            defaultValue={p.status ?? ''}
            any="Any"
            options={JOB_STATUSES.map((st) => ({ value: st, label: `${st}${statuses[st] ? ` (${formatNumber(statuses[st])})` : ''}` }))}
          />
        </Field>
        {/* Each filter names its own parameter and options; alike the findings filters by shape only. */}
        <Field label="Type">
          <Select
            name="type"
            defaultValue={p.type ?? ''}
            any="Any"
            options={Object.entries(types)
              .sort()
              .map(([t, n]) => ({ value: t, label: `${typeLabel(t)} (${formatNumber(n)})` }))}
          />
        </Field>
      </FilterForm>

      <ListTable
        ariaLabel="Jobs"
        testId="jobs-table"
        columns={canManage ? [...COLUMNS, { id: 'actions', header: <span className="sr-only">Actions</span>, align: 'end' }] : COLUMNS}
        {...paging(p, total)}
        emptyState={
          <EmptyState title={p.status || p.type ? 'No jobs match' : 'No jobs yet'}>
            Revocations and rotations requested from an identity page run here.
          </EmptyState>
        }
        rows={rows.map((j) => ({
          id: j.id,
          attrs: { 'data-job-id': j.id },
          cells: {
            type: typeLabel(j.type),
            target: j.target ? (
              <span className="flex flex-wrap items-center gap-1" data-testid="job-target">
                <span>
                  {j.target.href && !j.target.identity ? (
                    <Link className="text-indigo-700 hover:underline" href={`${base}${j.target.href}`}>
                      {j.target.label}
                    </Link>
                  ) : (
                    <span>{j.target.label}</span>
                  )}
                  {j.target.identity ? (
                    <>
                      {' '}
                      ·{' '}
                      <Link className="text-indigo-700 hover:underline" href={`${base}/identities/${j.target.identity.id}`}>
                        {j.target.identity.name}
                      </Link>
                    </>
                  ) : null}
                </span>
                {j.target.remediationStatus ? <Badge tone={toneOf(REMEDIATION_TONES, j.target.remediationStatus)}>{j.target.remediationStatus}</Badge> : null}
                {j.target.simulated ? (
                  <Badge tone="violet" title="Demo source: nothing changed outside Custodian">
                    simulated
                  </Badge>
                ) : null}
              </span>
            ) : (
              <span className="text-slate-500">—</span>
            ),
            status: <Badge tone={toneOf(JOB_STATUS_TONES, j.status)}>{j.status}</Badge>,
            attempts: `${j.attempts} / ${j.maxAttempts}`,
            progress: j.total > 0 ? `${formatNumber(j.progress)} / ${formatNumber(j.total)}` : '—',
            lastError: (
              <span className="line-clamp-2" title={j.lastError ?? ''}>
                {j.lastError ?? ''}
              </span>
            ),
            createdAt: formatDateTime(j.createdAt),
            next: j.finishedAt ? formatDateTime(j.finishedAt) : j.status === 'queued' || j.status === 'retrying' ? `due ${formatDateTime(j.runAt)}` : '—',
            actions: j.status === 'failed' ? <RetryButton orgSlug={ctx.org.slug} jobId={j.id} /> : null,
          },
        }))}
      />
    </>
  )
}
