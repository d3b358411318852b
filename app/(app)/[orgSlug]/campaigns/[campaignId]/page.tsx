import type { Metadata } from 'next'
import Link from 'next/link'
import { ListTable } from '@/components/data-table/list-table'
import { paging } from '@/components/data-table/search-params'
import { Badge } from '@/components/ui/badge'
import { Card } from '@/components/ui/card'
import { Forbidden } from '@/components/ui/forbidden'
import { countOf, formatDate, formatDateTime, formatNumber } from '@/components/ui/format'
import { PageHeader } from '@/components/ui/page-header'
import { CAMPAIGN_STATUS_TONES, toneOf } from '@/components/ui/tones'
import { orNotFound, pageAllows, pageContext } from '@/lib/auth/session'
import { can } from '@/lib/auth/permissions'
import { campaignStats, getCampaignDetail, listCampaignItems, listReviewers, REVIEWERS_PAGE_SIZE } from '@/lib/campaigns/queries'
import { parseSnapshot } from '@/lib/campaigns/schemas'
import { CampaignActions } from '../_components/campaign-actions'
import { CampaignItemsTable, type CampaignItemRow } from '../_components/campaign-items-table'
import { TYPE_SHORT } from '../_components/status'
import { parseCampaignPageSearchParams } from './search-params'

export const metadata: Metadata = { title: 'Campaign' }

const pct = (x: number) => `${Math.round(x * 100)}%`
const DEFAULTS: Record<string, string> = { keep: 'keep', revoke: 'revoke', recommendation: 'follow the recommendation', open: 'leave open' }
const RULES: Record<string, string> = { always: 'always', privileged_keep: 'on keeping privileged access', revoke: 'on revoking', never: 'never' }

function Stat({ label, value, hint, testId }: { label: string; value: React.ReactNode; hint?: React.ReactNode; testId?: string }) {
  return (
    <div className="rounded-lg border border-slate-200 bg-white p-3 shadow-sm" data-testid={testId}>
      <p className="text-xs uppercase tracking-wide text-slate-500">{label}</p>
      <p className="mt-1 text-xl font-semibold tabular-nums text-slate-900">{value}</p>
      {hint ? <p className="mt-0.5 text-xs text-slate-500">{hint}</p> : null}
    </div>
  )
}

export default async function CampaignPage({
  params,
  searchParams,
}: {
  params: Promise<{ orgSlug: string; campaignId: string }>
  searchParams: Promise<Record<string, string | string[] | undefined>>
}) {
  const { orgSlug, campaignId } = await params
  const ctx = await pageContext(orgSlug)
  if (!(await pageAllows(ctx, 'campaign:read', 'campaign'))) return <Forbidden orgSlug={ctx.org.slug} what="campaigns" />
  const p = parseCampaignPageSearchParams(await searchParams)
  const {
    campaign: c,
    job,
    scope,
    fallbackName,
    signoffName,
    createdByName,
  } = await orNotFound(getCampaignDetail(ctx, campaignId), ctx, { type: 'campaign', id: campaignId })
  const manage = can(ctx.role, 'campaign:manage')
  const [stats, items, reviewers] = await Promise.all([
    c.launchedAt ? campaignStats(ctx, c.id, { reviewerPage: p.rpage }) : Promise.resolve(null),
    c.launchedAt ? listCampaignItems(ctx, c.id, p) : Promise.resolve(null),
    manage ? listReviewers(ctx) : Promise.resolve([]),
  ])
  const scopeText = scope.length ? scope.join(' · ') : 'every identity'

  const rows: CampaignItemRow[] = (items?.rows ?? []).map((r) => {
    const s = parseSnapshot(r.snapshot)
    return {
      id: r.id,
      identity: r.identityName,
      what: s?.entitlement
        ? `${s.entitlement.name} on ${s.entitlement.resource}`
        : s?.credential
          ? `${s.credential.kind}${s.credential.label ? ` ${s.credential.label}` : ''}`
          : countOf(s?.grantCount ?? 0, 'grant'),
      privileged: r.privileged,
      reviewer: r.reviewerName,
      reviewerStatus: r.reviewerStatus,
      recommendation: r.recommendation,
      decision: r.decision,
      firstDecision: r.firstDecision,
      justification: r.justification,
      stage: r.stage,
      remediationStatus: r.remediationStatus,
      remediationError: r.remediationError,
    }
  })

  const rs = stats?.rubberStamp
  return (
    <>
      <PageHeader
        title={c.name}
        description={
          <span className="flex flex-wrap items-center gap-2">
            <Badge tone={toneOf(CAMPAIGN_STATUS_TONES, c.status)}>
              <span data-testid="campaign-status">{c.status}</span>
            </Badge>
            {c.status === 'active' && c.secondStage !== 'none' ? <Badge tone="indigo">stage {c.currentStage} of 2</Badge> : null}
            <span>
              {TYPE_SHORT[c.type]} · due {formatDate(c.dueAt)}
              {c.recurrence !== 'none' ? ` · recurs ${c.recurrence}` : ''}
            </span>
          </span>
        }
        actions={manage ? <CampaignActions orgSlug={ctx.org.slug} campaignId={c.id} status={c.status} stage={c.currentStage} /> : null}
      />
      {c.description ? <p className="-mt-3 mb-4 max-w-3xl text-sm text-slate-600">{c.description}</p> : null}
      {c.launchError ? <p className="mb-4 rounded-md border border-amber-200 bg-amber-50 px-3 py-2 text-sm text-amber-900">{c.launchError}</p> : null}
      {job && (c.status === 'launching' || c.status === 'closing') ? (
        <div className="mb-4 rounded-md border border-indigo-200 bg-indigo-50 px-3 py-2 text-sm text-indigo-900" data-testid="job-progress" role="status">
          {c.status === 'launching' ? 'Snapshotting the population' : 'Closing: applying the default decision and queueing revocations'}
          {job.total ? ` — ${formatNumber(job.progress)} of ${formatNumber(job.total)}` : '…'}
          {job.lastError ? <span className="block text-rose-700">Last attempt failed: {job.lastError} (retrying)</span> : null}
        </div>
      ) : null}

      {stats ? (
        <div className="mb-5 grid gap-3 sm:grid-cols-2 lg:grid-cols-4">
          <Stat
            label="Complete"
            testId="stat-complete"
            value={pct(stats.complete)}
            hint={`${formatNumber(stats.decided)} of ${formatNumber(stats.total)} items decided${stats.defaulted ? ` · ${formatNumber(stats.defaulted)} by default` : ''}`}
          />
          <Stat
            label="Decisions"
            testId="stat-decisions"
            value={`${formatNumber(stats.decisions.keep ?? 0)} keep · ${formatNumber(stats.decisions.revoke ?? 0)} revoke`}
            hint={`${formatNumber(stats.decisions.reduce ?? 0)} reduce · ${formatNumber(stats.decisions.unsure ?? 0)} don't know · ${formatNumber(stats.decisions.none ?? 0)} open`}
          />
          <Stat
            label="Overdue"
            testId="stat-overdue"
            value={formatNumber(stats.overdue)}
            hint={c.fallbackCount ? `${countOf(c.fallbackCount, 'item')} went to the fallback reviewer at launch` : 'items still open past the due date'}
          />
          <Stat
            label="Remediation"
            testId="stat-remediation"
            value={`${formatNumber(stats.remediation.applied ?? 0)} applied`}
            hint={`${formatNumber(stats.remediation.pending ?? 0)} pending · ${formatNumber(stats.remediation.failed ?? 0)} failed · ${formatNumber(stats.remediation.manual ?? 0)} manual`}
          />
        </div>
      ) : null}

      <div className="mb-5 grid gap-4 lg:grid-cols-2">
        <Card title="Settings">
          <dl className="grid grid-cols-[auto_1fr] gap-x-3 gap-y-1 text-sm">
            <dt className="text-slate-500">Scope</dt>
            <dd data-testid="campaign-scope">{scopeText}</dd>
            <dt className="text-slate-500">Reviewers</dt>
            <dd>owner → backup → team lead → {fallbackName ?? 'fallback'}</dd>
            <dt className="text-slate-500">Second stage</dt>
            <dd>{c.secondStage === 'none' ? 'none' : `${c.secondStage} · ${signoffName ?? fallbackName}`}</dd>
            <dt className="text-slate-500">Nobody answers</dt>
            <dd>{DEFAULTS[c.defaultDecision]}</dd>
            <dt className="text-slate-500">Justification</dt>
            <dd>{RULES[c.justificationRule]}</dd>
            <dt className="text-slate-500">Reminders</dt>
            <dd>{(JSON.parse(c.reminders) as number[]).map((d) => `${d}d`).join(', ') || 'none'} before due</dd>
            <dt className="text-slate-500">Overdue</dt>
            <dd>{c.graceDays ? `escalate, close ${c.graceDays} days after due` : 'close at the due date'}</dd>
            <dt className="text-slate-500">Remediation</dt>
            <dd>{c.autoRemediate ? 'as soon as decided' : 'at close'}</dd>
            <dt className="text-slate-500">Created</dt>
            <dd>
              {formatDateTime(c.createdAt)}
              {createdByName ? ` by ${createdByName}` : ''}
            </dd>
            {c.previousId ? (
              <>
                <dt className="text-slate-500">Previous</dt>
                <dd>
                  <Link className="text-indigo-700 hover:underline" href={`/${ctx.org.slug}/campaigns/${c.previousId}`}>
                    earlier run
                  </Link>
                </dd>
              </>
            ) : null}
          </dl>
        </Card>
        {stats ? (
          <Card title="Signs of rubber-stamping">
            <dl className="grid grid-cols-[1fr_auto] gap-y-2 text-sm" data-testid="rubber-stamp">
              <dt className="text-slate-600">Median time per decision</dt>
              <dd className={`tabular-nums font-medium ${rs?.medianSeconds !== null && rs!.medianSeconds! < 5 ? 'text-rose-700' : ''}`}>
                {rs?.medianSeconds === null ? '—' : `${rs!.medianSeconds!.toFixed(1)} s`}
              </dd>
              <dt className="text-slate-600">Decided in bulk</dt>
              <dd className={`tabular-nums font-medium ${rs && rs.bulkShare > 0.8 ? 'text-rose-700' : ''}`}>{pct(rs?.bulkShare ?? 0)}</dd>
              <dt className="text-slate-600">Recommended revokes that were kept</dt>
              <dd className="tabular-nums font-medium">
                {formatNumber(rs?.recommendedRevokesKept ?? 0)} of {formatNumber(rs?.recommendedRevokesDecided ?? 0)}
              </dd>
            </dl>
            <p className="mt-3 text-xs text-slate-500">
              Time is measured from when the reviewer first saw the item, or from their previous decision, whichever is later.
            </p>
          </Card>
        ) : null}
      </div>
      {stats ? (
        <ListTable
          ariaLabel="Reviewers"
          testId="reviewers"
          paramPrefix="r"
          pagerLinks={{ noun: 'reviewers' }}
          pageSizeOptions={[]}
          scrollAreaClassName="max-h-none"
          className="mb-5"
          toolbar={<h2 className="text-sm font-semibold text-slate-900">Reviewers ({formatNumber(stats.reviewerCount)})</h2>}
          columns={[
            { id: 'name', header: 'Reviewer', rowHeader: true },
            { id: 'decided', header: <span title="Decided by the reviewer">Decided</span>, align: 'end', className: 'tabular-nums' },
            {
              id: 'defaulted',
              header: <span title="The campaign's default decision, applied at close">By default</span>,
              align: 'end',
              className: 'tabular-nums',
            },
            {
              id: 'open',
              header: <span title="Not decided yet, or answered “don't know”">{c.status === 'closed' ? 'Undecided' : 'Open'}</span>,
              align: 'end',
              className: 'tabular-nums',
            },
            { id: 'bulk', header: <span title="Share of the reviewer's decisions made in bulk">Bulk</span>, align: 'end', className: 'tabular-nums' },
          ]}
          rows={stats.reviewers.map((r) => ({
            id: r.id ?? 'none',
            cells: { name: r.name, decided: formatNumber(r.decided), defaulted: formatNumber(r.defaulted), open: formatNumber(r.open), bulk: pct(r.bulkShare) },
          }))}
          {...paging({ page: stats.reviewerPage, size: REVIEWERS_PAGE_SIZE }, stats.reviewerCount)}
          footer={
            <tr data-testid="reviewers-total">
              <th scope="row" className="border-t border-slate-200 px-3 py-1.5 text-left">
                All reviewers
              </th>
              <td className="border-t border-slate-200 px-3 text-right tabular-nums">{formatNumber(stats.reviewerTotals.decided)}</td>
              <td className="border-t border-slate-200 px-3 text-right tabular-nums">{formatNumber(stats.reviewerTotals.defaulted)}</td>
              <td className="border-t border-slate-200 px-3 text-right tabular-nums">{formatNumber(stats.reviewerTotals.open)}</td>
              <td className="border-t border-slate-200" />
            </tr>
          }
        />
      ) : null}

      {items ? (
        <CampaignItemsTable
          orgSlug={ctx.org.slug}
          list={{ rows, ...paging(p, items.total) }}
          canReassign={manage && c.status === 'active'}
          reviewers={reviewers.map((r) => ({ value: r.id, label: r.name }))}
          filters={{ reviewer: p.reviewer ?? '', decision: p.decision ?? '', remediation: p.remediation ?? '' }}
          reviewerOptions={(stats?.reviewerOptions ?? []).map((r) => ({ value: r.id, label: r.name }))}
        />
      ) : (
        <Card title="Not launched yet">
          <p className="text-sm text-slate-600">Launching snapshots every identity in scope into review items and notifies their reviewers.</p>
        </Card>
      )}
    </>
  )
}
