import type { Metadata } from 'next'
import Link from 'next/link'
import { Badge, type BadgeTone } from '@/components/ui/badge'
import { Card } from '@/components/ui/card'
import { EmptyState } from '@/components/ui/empty-state'
import { formatAgo, formatDate, formatNumber, renderTime } from '@/components/ui/format'
import { PageHeader } from '@/components/ui/page-header'
import { pageContext } from '@/lib/auth/page'
import { can } from '@/lib/auth/permissions'
import { FINDINGS_PAGE_SIZE, latestRecompute, listFindings } from '@/lib/findings/queries'
import { OWASP_CODES, OWASP_LABELS } from '@/lib/findings/rules'
import { FINDING_STATUSES, findingListSchema, MAX_ACCEPT_DAYS } from '@/lib/findings/schemas'
import { AcceptForm } from './_components/accept-form'
import { RecomputeButton } from './_components/recompute-button'

export const metadata: Metadata = { title: 'Findings' }

const DAY = 86_400_000
const SEVERITY_TONE: Record<string, BadgeTone> = { critical: 'red', high: 'amber', medium: 'blue', low: 'gray' }

export default async function FindingsPage({ params, searchParams }: { params: Promise<{ orgSlug: string }>; searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const { orgSlug } = await params
  const ctx = await pageContext(orgSlug)
  const p = findingListSchema.parse(await searchParams)
  const [list, job] = await Promise.all([listFindings(ctx, p), latestRecompute(ctx)])
  const now = renderTime()
  const base = `/${ctx.org.slug}/findings`
  const href = (over: Record<string, string | undefined>) => {
    const q = new URLSearchParams()
    const merged = { code: p.code, status: p.status, severity: p.severity, rule: p.rule, ...over }
    for (const [k, v] of Object.entries(merged)) if (v && !(k === 'status' && v === 'open')) q.set(k, v)
    return q.size ? `${base}?${q}` : base
  }
  const pages = Math.max(1, Math.ceil(list.total / FINDINGS_PAGE_SIZE))
  const running = job && ['queued', 'running', 'retrying'].includes(job.status)
  const day = (t: number) => new Date(t).toISOString().slice(0, 10)

  return (
    <>
      <PageHeader
        title="Findings"
        description="Posture problems on identities, tagged with the OWASP Non-Human Identities Top 10 (2025). Recomputed after every sync and nightly."
        actions={can(ctx.role, 'job:manage') ? <RecomputeButton orgSlug={ctx.org.slug} /> : null}
      />
      <p className="mb-4 text-sm text-slate-600" data-testid="recompute-status">
        {job
          ? running
            ? `Recompute ${job.status}: ${formatNumber(job.progress)} of ${formatNumber(job.total)} identities.`
            : job.status === 'failed'
              ? `The last recompute failed: ${job.lastError ?? 'unknown error'}.`
              : `Last recomputed ${formatAgo(job.finishedAt ?? job.createdAt, now)}.`
          : 'Findings were computed when the data was loaded; no recompute has run since.'}
      </p>
      <nav className="mb-3 flex flex-wrap gap-1" aria-label="Finding status">
        {FINDING_STATUSES.map((s) => (
          <Link key={s} href={href({ status: s, page: undefined })} aria-current={s === p.status ? 'page' : undefined} className={`rounded-full px-3 py-1 text-sm ${s === p.status ? 'bg-slate-900 text-white' : 'bg-white text-slate-700 ring-1 ring-slate-200 hover:bg-slate-50'}`}>
            {s[0].toUpperCase() + s.slice(1)}
          </Link>
        ))}
      </nav>
      <div className="mb-4 flex flex-wrap gap-1.5" aria-label="OWASP code">
        <Link href={href({ code: undefined })} className={`rounded px-2 py-1 text-xs font-medium ${!p.code ? 'bg-indigo-600 text-white' : 'bg-white text-slate-700 ring-1 ring-slate-200'}`}>All codes</Link>
        {OWASP_CODES.map((c) => (
          <Link key={c} href={href({ code: c })} title={OWASP_LABELS[c]} className={`rounded px-2 py-1 text-xs font-medium ${p.code === c ? 'bg-indigo-600 text-white' : 'bg-white text-slate-700 ring-1 ring-slate-200'}`}>
            {c} <span className="tabular-nums opacity-70">{formatNumber(list.byCode[c] ?? 0)}</span>
          </Link>
        ))}
      </div>
      <Card title={`${formatNumber(list.total)} ${p.status} finding${list.total === 1 ? '' : 's'}${p.code ? ` · ${p.code} ${OWASP_LABELS[p.code]}` : ''}`}>
        {list.rows.length === 0 ? (
          <EmptyState title={`No ${p.status} findings`}>{p.status === 'open' ? 'Nothing needs attention under this filter.' : 'Nothing here yet.'}</EmptyState>
        ) : (
          <div className="overflow-x-auto">
            <table className="min-w-full text-sm" aria-label="Findings">
              <thead className="text-left text-xs uppercase tracking-wide text-slate-500">
                <tr>
                  <th scope="col" className="py-2 pr-3">Severity</th><th scope="col" className="pr-3">OWASP</th><th scope="col" className="pr-3">Finding</th>
                  <th scope="col" className="pr-3">Identity</th><th scope="col" className="pr-3">First seen</th><th scope="col">{p.status === 'accepted' ? 'Accepted until' : ''}</th>
                </tr>
              </thead>
              <tbody className="divide-y divide-slate-100">
                {list.rows.map((f) => (
                  <tr key={f.id} className="align-top">
                    <td className="py-2 pr-3"><Badge tone={SEVERITY_TONE[f.severity] ?? 'gray'}>{f.severity}</Badge></td>
                    <td className="pr-3 py-2"><Link href={href({ code: f.owaspCode })} title={OWASP_LABELS[f.owaspCode as keyof typeof OWASP_LABELS]} className="font-mono text-xs text-slate-700 hover:underline">{f.owaspCode}</Link></td>
                    <td className="pr-3 py-2 text-slate-800">{f.title}</td>
                    <td className="pr-3 py-2"><Link href={`/${ctx.org.slug}/identities/${f.identity.id}`} className="font-medium text-indigo-700 hover:underline">{f.identity.name}</Link><span className="ml-1 text-xs text-slate-500">{f.identity.environment}</span></td>
                    <td className="pr-3 py-2 whitespace-nowrap text-slate-600">{formatDate(f.firstSeenAt)}</td>
                    <td className="py-2">
                      {f.status === 'accepted' ? (
                        <span className="text-xs text-slate-600" title={f.acceptedReason ?? ''}>{formatDate(f.acceptedUntil)} — {f.acceptedReason}</span>
                      ) : f.status === 'open' && can(ctx.role, 'finding:accept') ? (
                        <AcceptForm orgSlug={ctx.org.slug} findingId={f.id} defaultUntil={day(now + 90 * DAY)} maxUntil={day(now + MAX_ACCEPT_DAYS * DAY)} />
                      ) : null}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
        {pages > 1 ? (
          <div className="mt-3 flex items-center justify-between text-sm text-slate-600">
            <span>Page {p.page} of {formatNumber(pages)}</span>
            <span className="flex gap-3">
              {p.page > 1 ? <Link href={href({ page: String(p.page - 1) })} className="text-indigo-700 hover:underline">← Previous</Link> : null}
              {p.page < pages ? <Link href={href({ page: String(p.page + 1) })} className="text-indigo-700 hover:underline">Next →</Link> : null}
            </span>
          </div>
        ) : null}
      </Card>
    </>
  )
}
