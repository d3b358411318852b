import type { Metadata } from 'next'
import Link from 'next/link'
import { type ListPageProps, paging } from '@/components/data-table/search-params'
import { EmptyState } from '@/components/ui/empty-state'
import { Forbidden } from '@/components/ui/forbidden'
import { countOf, formatDate, formatNumber } from '@/components/ui/format'
import { PageHeader } from '@/components/ui/page-header'
import { pageAllows, pageContext } from '@/lib/auth/session'
import { listMyReviewItems, listReviewers } from '@/lib/campaigns/queries'
import { needsJustification, parseSnapshot } from '@/lib/campaigns/schemas'
import { ReviewFilters } from './_components/review-filters'
import { ReviewsTable, type ReviewRow } from './_components/reviews-table'
import { parseReviewSearchParams } from './search-params'

export const metadata: Metadata = { title: 'My reviews' }

export default async function MyReviewsPage({ params, searchParams }: ListPageProps) {
  const ctx = await pageContext((await params).orgSlug)
  if (!(await pageAllows(ctx, 'review:decide', 'reviews'))) return <Forbidden orgSlug={ctx.org.slug} what="access reviews" />
  const p = parseReviewSearchParams(await searchParams)
  const [list, people] = await Promise.all([listMyReviewItems(ctx, p), listReviewers(ctx)])

  const rows: ReviewRow[] = list.rows.map((r) => {
    const s = parseSnapshot(r.snapshot)
    return {
      id: r.id,
      version: r.version,
      campaignId: r.campaignId,
      campaign: r.campaign.name,
      campaignType: r.campaign.type,
      identityId: r.identityId,
      identity: r.identityName,
      kind: s?.identity.kind ?? '',
      environment: s?.identity.environment ?? '',
      source: s?.identity.source ?? '',
      access: s?.entitlement
        ? `${s.entitlement.name} on ${s.entitlement.resource}`
        : s?.credential
          ? `${s.credential.kind}${s.credential.label ? ` “${s.credential.label}”` : ''}`
          : countOf(s?.grantCount ?? 0, 'grant'),
      grants: (s?.grants ?? []).map((g) => ({ id: g.id, label: `${g.name} on ${g.resource}`, privileged: g.privileged })),
      suggested: s?.suggestedReduce ?? [],
      privileged: r.privileged,
      lastUsedAt: s?.lastUsedAt ?? null,
      usageReported: !s?.usageUnknown,
      findings: (s?.findings ?? []).map((f) => `${f.code} ${f.title}`),
      via: s?.via ?? '',
      recommendation: r.recommendation,
      reason: r.recommendationReason,
      decision: r.decision,
      firstDecision: r.firstDecision,
      justification: r.justification,
      stage: r.stage,
      escalated: !!r.escalatedAt,
      needs: {
        keep: needsJustification(r.campaign.justificationRule, 'keep', r.privileged),
        revoke: needsJustification(r.campaign.justificationRule, 'revoke', r.privileged),
        reduce: needsJustification(r.campaign.justificationRule, 'reduce', r.privileged),
      },
    }
  })
  const openTotal = list.campaigns.reduce((n, c) => n + c.open, 0)

  return (
    <>
      <PageHeader
        title="My reviews"
        description={
          <span data-testid="review-summary">
            {openTotal ? `${countOf(openTotal, 'item')} ${openTotal === 1 ? 'waits' : 'wait'} for your decision` : 'Nothing waits for your decision'}
          </span>
        }
      />
      {list.campaigns.length ? (
        <ul className="mb-4 flex flex-wrap gap-2 text-sm">
          {list.campaigns.map((c) => (
            <li key={c.id}>
              <Link
                href={`/${ctx.org.slug}/reviews?campaign=${c.id}`}
                className={`inline-flex items-center gap-1 rounded-full border px-3 py-1 ${p.campaign === c.id ? 'border-indigo-400 bg-indigo-50 text-indigo-800' : 'border-slate-200 bg-white text-slate-700 hover:border-slate-300'}`}
              >
                {c.name}{' '}
                <span className="tabular-nums text-slate-500">
                  · {formatNumber(c.open)} open · due {formatDate(c.dueAt)}
                </span>
              </Link>
            </li>
          ))}
        </ul>
      ) : null}
      <ReviewFilters
        campaigns={list.campaigns.map((c) => ({ value: c.id, label: c.name }))}
        values={{ campaign: p.campaign ?? '', state: p.state, privileged: p.privileged ?? '', rec: p.rec ?? '', view: p.view, q: p.q ?? '' }}
      />
      <ReviewsTable
        orgSlug={ctx.org.slug}
        list={{ rows, ...paging(p, list.total) }}
        grouped={p.view === 'identity'}
        filter={{ campaign: p.campaign, state: p.state, privileged: p.privileged, rec: p.rec, q: p.q }}
        people={people.filter((u) => u.id !== ctx.user.id).map((u) => ({ value: u.id, label: u.name }))}
        emptyState={
          // "All caught up" only when nothing waits at all; a search or filter that matches nothing says so.
          p.state === 'open' && openTotal === 0 ? (
            <EmptyState title="You are all caught up">Items appear here when a campaign asks you to review identities you own.</EmptyState>
          ) : (
            <EmptyState title="No items match these filters">
              {openTotal ? `${countOf(openTotal, 'open item')} wait for you outside this view. ` : ''}
              <Link href={`/${ctx.org.slug}/reviews`} className="font-medium text-indigo-700 underline">
                Clear the filters
              </Link>
            </EmptyState>
          )
        }
      />
      <section aria-labelledby="shortcuts" className="mt-4 rounded-lg border border-slate-200 bg-white p-3 text-sm text-slate-600">
        <h2 id="shortcuts" className="mb-1 font-semibold text-slate-800">
          Keyboard shortcuts
        </h2>
        <p>
          Move between rows with <kbd className="rounded border px-1">↑</kbd> <kbd className="rounded border px-1">↓</kbd>; on the focused row press{' '}
          <kbd className="rounded border px-1">k</kbd> keep, <kbd className="rounded border px-1">r</kbd> revoke, <kbd className="rounded border px-1">u</kbd>{' '}
          don&apos;t know, <kbd className="rounded border px-1">x</kbd> or <kbd className="rounded border px-1">Space</kbd> select. A decision that needs a
          justification opens a box for it.
        </p>
      </section>
    </>
  )
}
