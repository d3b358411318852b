import type { Metadata } from 'next'
import Link from 'next/link'
import { type ListPageProps, paging } from '@/components/data-table/search-params'
import { FilterForm } from '@/components/data-table/filter-form'
import { Card } from '@/components/ui/card'
import { EmptyState } from '@/components/ui/empty-state'
import { Field, Input } from '@/components/ui/field'
import { countOf, formatAgo, formatNumber, renderTime } from '@/components/ui/format'
import { PageHeader } from '@/components/ui/page-header'
import { Select } from '@/components/ui/select'
import { pageContext } from '@/lib/auth/session'
import { can } from '@/lib/auth/permissions'
import { findingFilterOptions, latestRecompute, listFindings } from '@/lib/findings/queries'
import { OWASP_CODES, OWASP_LABELS, SEVERITIES } from '@/lib/findings/rules'
import { FINDING_STATUSES, MAX_ACCEPT_DAYS } from '@/lib/findings/schemas'
import { ENVIRONMENTS } from '@/lib/inventory/schemas'
import { FindingsTable, type FindingRow } from './_components/findings-table'
import { RecomputeButton } from './_components/recompute-button'
import { parseFindingSearchParams } from './search-params'

export const metadata: Metadata = { title: 'Findings' }

const DAY = 86_400_000

const SEVERITY_LABELS = { critical: 'Critical', high: 'High', medium: 'Medium', low: 'Low' } as const

export default async function FindingsPage({ params, searchParams }: ListPageProps) {
  const ctx = await pageContext((await params).orgSlug)
  const p = parseFindingSearchParams(await searchParams)
  const [list, job, options] = await Promise.all([listFindings(ctx, p), latestRecompute(ctx), findingFilterOptions(ctx)])
  const now = renderTime()
  const base = `/${ctx.org.slug}/findings`
  const current: Record<string, string | undefined> = {
    status: p.status === 'open' ? undefined : p.status,
    code: p.code,
    rule: p.rule,
    severity: p.severity,
    owner: p.owner,
    env: p.env,
    source: p.source,
    identity: p.identity,
    q: p.q,
    sort: p.sort === 'severity' ? undefined : p.sort,
    dir: p.dir,
    size: p.size === 50 ? undefined : String(p.size),
  }
  const href = (over: Record<string, string | undefined>) => {
    const q = new URLSearchParams()
    for (const [k, v] of Object.entries({ ...current, ...over })) if (v) q.set(k, v)
    return q.size ? `${base}?${q}` : base
  }
  const running = job && ['queued', 'running', 'retrying'].includes(job.status)
  const day = (t: number) => new Date(t).toISOString().slice(0, 10)
  const sourceName = (id: string) => options.sources.find((s) => s.id === id)?.name ?? 'a source'
  const personName = (id: string) => options.people.find((u) => u.id === id)?.name ?? 'a person'
  // Every active filter is a chip that clears just itself.
  const chips = [
    p.severity ? { key: 'severity', label: `Severity: ${SEVERITY_LABELS[p.severity]}` } : null,
    p.code ? { key: 'code', label: `OWASP: ${p.code} ${OWASP_LABELS[p.code]}` } : null,
    p.rule ? { key: 'rule', label: `Rule: ${p.rule}` } : null,
    p.owner ? { key: 'owner', label: p.owner === 'unowned' ? 'Owner: nobody' : `Owner: ${personName(p.owner)}` } : null,
    p.env ? { key: 'env', label: `Environment: ${p.env}` } : null,
    p.source ? { key: 'source', label: `Source: ${sourceName(p.source)}` } : null,
    p.identity ? { key: 'identity', label: `Identity: ${list.rows[0]?.identity.name ?? 'one identity'}` } : null,
    p.q ? { key: 'q', label: `Identity name contains “${p.q}”` } : null,
  ].filter((c): c is { key: string; label: string } => !!c)
  const rows: FindingRow[] = list.rows.map((f) => ({
    id: f.id,
    severity: f.severity,
    owaspCode: f.owaspCode,
    owaspLabel: OWASP_LABELS[f.owaspCode as keyof typeof OWASP_LABELS] ?? f.owaspCode,
    title: f.title,
    detail: f.detail,
    status: f.status,
    firstSeenAt: f.firstSeenAt.toISOString(),
    identity: {
      id: f.identity.id,
      name: f.identity.name,
      environment: f.identity.environment,
      riskScore: f.identity.riskScore,
      owner: f.identity.owner ? { name: f.identity.owner.name, active: f.identity.owner.active } : null,
    },
    accepted:
      f.status === 'accepted'
        ? { by: f.acceptedBy, at: f.acceptedAt?.toISOString() ?? null, until: f.acceptedUntil?.toISOString() ?? null, reason: f.acceptedReason }
        : null,
  }))

  return (
    <>
      <PageHeader
        title="Findings"
        description="Posture problems on identities, tagged with the OWASP Non-Human Identities Top 10 (2025). Findings settle as soon as the change that fixes them is made; a full recompute runs after every sync and nightly."
        actions={can(ctx.role, 'job:manage') ? <RecomputeButton orgSlug={ctx.org.slug} /> : null}
      />
      <p className="mb-4 text-sm text-slate-600" data-testid="recompute-status">
        {job
          ? running
            ? `Recompute ${job.status}: ${formatNumber(job.progress)} of ${countOf(job.total, 'identity', 'identities')}.`
            : job.status === 'failed'
              ? `The last recompute failed: ${job.lastError ?? 'unknown error'}.`
              : `Last recomputed ${formatAgo(job.finishedAt ?? job.createdAt, now)}.`
          : 'Findings were computed when the data was loaded; no recompute has run since.'}
      </p>
      <nav className="mb-3 flex flex-wrap gap-1" aria-label="Finding status">
        {FINDING_STATUSES.map((s) => (
          <Link
            key={s}
            href={href({ status: s === 'open' ? undefined : s, page: undefined })}
            aria-current={s === p.status ? 'page' : undefined}
            className={`rounded-full px-3 py-1 text-sm ${s === p.status ? 'bg-slate-900 text-white' : 'bg-white text-slate-700 ring-1 ring-slate-300 hover:bg-slate-50'}`}
          >
            {s === 'accepted' ? 'Accepted risks' : s[0].toUpperCase() + s.slice(1)}
          </Link>
        ))}
      </nav>
      <FilterForm
        label="Filter findings"
        action={base}
        submitLabel="Apply"
        keep={{ status: p.status !== 'open' ? p.status : undefined, code: p.code, identity: p.identity, size: p.size === 50 ? undefined : p.size }}
        className="mb-3 rounded-lg border border-slate-200 bg-white p-3"
      >
        <Field label="Severity">
          <Select name="severity" defaultValue={p.severity ?? ''} any="Any" options={SEVERITIES.map((sv) => ({ value: sv, label: SEVERITY_LABELS[sv] }))} />
        </Field>
        <Field label="Owner">
          <Select
            name="owner"
            defaultValue={p.owner ?? ''}
            any="Anyone"
            options={[{ value: 'unowned', label: 'Nobody (unowned)' }, ...options.people.map((u) => ({ value: u.id, label: u.name }))]}
          />
        </Field>
        <Field label="Environment">
          <Select name="env" defaultValue={p.env ?? ''} any="Any" options={ENVIRONMENTS.map((e) => ({ value: e, label: e }))} />
        </Field>
        <Field label="Source">
          <Select name="source" defaultValue={p.source ?? ''} any="Any" options={options.sources.map((src) => ({ value: src.id, label: src.name }))} />
        </Field>
        <Field label="Identity name">
          <Input type="search" name="q" defaultValue={p.q ?? ''} placeholder="e.g. payments" className="w-48" />
        </Field>
      </FilterForm>
      {chips.length ? (
        <ul className="mb-3 flex flex-wrap items-center gap-1.5" aria-label="Active filters" data-testid="finding-chips">
          {chips.map((c) => (
            <li key={c.key}>
              <Link
                href={href({ [c.key]: undefined, page: undefined })}
                className="inline-flex items-center gap-1 rounded-full bg-indigo-50 px-2.5 py-1 text-xs font-medium text-indigo-800 ring-1 ring-indigo-200 hover:bg-indigo-100"
                aria-label={`Remove filter ${c.label}`}
              >
                {c.label} <span aria-hidden>✕</span>
              </Link>
            </li>
          ))}
          <li>
            <Link
              href={href({
                severity: undefined,
                code: undefined,
                rule: undefined,
                owner: undefined,
                env: undefined,
                source: undefined,
                identity: undefined,
                q: undefined,
                page: undefined,
              })}
              className="text-xs font-medium text-slate-700 underline"
            >
              Clear all
            </Link>
          </li>
        </ul>
      ) : null}
      <div className="mb-4 flex flex-wrap gap-1.5" aria-label="OWASP code">
        <Link
          href={href({ code: undefined, page: undefined })}
          className={`rounded px-2 py-1 text-xs font-medium ${!p.code ? 'bg-indigo-600 text-white' : 'bg-white text-slate-700 ring-1 ring-slate-300'}`}
        >
          All codes
        </Link>
        {OWASP_CODES.map((c) => (
          <Link
            key={c}
            href={href({ code: c, page: undefined })}
            title={OWASP_LABELS[c]}
            className={`rounded px-2 py-1 text-xs font-medium ${p.code === c ? 'bg-indigo-600 text-white' : 'bg-white text-slate-700 ring-1 ring-slate-300'}`}
          >
            {c}
            {list.byCode ? <span className="tabular-nums"> {formatNumber(list.byCode[c] ?? 0)}</span> : null}
          </Link>
        ))}
      </div>
      <Card
        title={`${list.totalAtLeast ? 'more than ' : ''}${countOf(list.totalAtLeast ? list.total - 1 : list.total, p.status === 'accepted' ? 'accepted risk' : `${p.status} finding`)}${p.code ? ` · ${p.code} ${OWASP_LABELS[p.code]}` : ''}`}
      >
        <FindingsTable
          orgSlug={ctx.org.slug}
          list={{ rows, ...paging({ ...p, dir: p.dir ?? (p.sort === 'severity' ? 'asc' : 'desc') }, list.total, list.totalAtLeast) }}
          canAccept={can(ctx.role, 'finding:accept')}
          acceptDates={{ defaultUntil: day(now + 90 * DAY), maxUntil: day(now + MAX_ACCEPT_DAYS * DAY) }}
          codeHrefs={Object.fromEntries(OWASP_CODES.map((c) => [c, href({ code: c, page: undefined })]))}
          emptyState={
            <EmptyState title={chips.length ? 'No findings match these filters' : `No ${p.status === 'accepted' ? 'accepted risks' : `${p.status} findings`}`}>
              {chips.length ? 'Change or clear a filter.' : p.status === 'open' ? 'Nothing needs attention.' : 'Nothing here yet.'}
            </EmptyState>
          }
        />
      </Card>
    </>
  )
}
