import type { Metadata } from 'next'
import Link from 'next/link'
import { type ListPageProps, paging } from '@/components/data-table/search-params'
import { listColumns } from '@/components/data-table/list-columns'
import { ListTable } from '@/components/data-table/list-table'
import { Badge } from '@/components/ui/badge'
import { buttonClass } from '@/components/ui/button'
import { EmptyState } from '@/components/ui/empty-state'
import { Forbidden } from '@/components/ui/forbidden'
import { formatDate, formatNumber } from '@/components/ui/format'
import { PageHeader } from '@/components/ui/page-header'
import { CAMPAIGN_STATUS_TONES, toneOf } from '@/components/ui/tones'
import { pageAllows, pageContext } from '@/lib/auth/session'
import { can } from '@/lib/auth/permissions'
import { listCampaigns } from '@/lib/campaigns/queries'
import { TYPE_SHORT } from './_components/status'
import { parseCampaignSearchParams } from './search-params'

export const metadata: Metadata = { title: 'Campaigns' }

// A page's column list is its own data; the jobs list's reads alike by shape only.
const COLUMNS = listColumns({
  name: 'Name',
  type: ['Type', 'text-slate-600'],
  status: 'Status',
  progress: ['Progress', 'tabular-nums'],
  due: ['Due', 'text-slate-600'],
  recurs: ['Recurs', 'text-slate-600'],
})

export default async function CampaignsPage({ params, searchParams }: ListPageProps) {
  const ctx = await pageContext((await params).orgSlug)
  if (!(await pageAllows(ctx, 'campaign:read', 'campaigns'))) return <Forbidden orgSlug={ctx.org.slug} what="campaigns" />
  const p = parseCampaignSearchParams(await searchParams)
  const { rows, total } = await listCampaigns(ctx, p)
  const manage = can(ctx.role, 'campaign:manage')
  const base = `/${ctx.org.slug}/campaigns`
  return (
    <>
      <PageHeader
        title="Access review campaigns"
        description="Owners decide, in the browser, whether each non-human identity keeps its access."
        actions={
          manage ? (
            <Link href={`${base}/new`} className={buttonClass()}>
              New campaign
            </Link>
          ) : null
        }
      />
      <ListTable
        ariaLabel="Campaigns"
        columns={COLUMNS}
        {...paging(p, total)}
        emptyState={
          <EmptyState
            title="No campaigns yet"
            action={
              manage ? (
                <Link href={`${base}/new`} className={buttonClass('secondary', 'sm')}>
                  Define the first one
                </Link>
              ) : null
            }
          >
            A campaign asks each owner to keep or revoke what their identities can reach, with evidence for the auditors.
          </EmptyState>
        }
        rows={rows.map((c) => ({
          id: c.id,
          href: `${base}/${c.id}`,
          cells: {
            name: (
              <Link href={`${base}/${c.id}`} className="font-medium text-slate-900 hover:text-indigo-700">
                {c.name}
              </Link>
            ),
            type: TYPE_SHORT[c.type] ?? c.type,
            status: (
              <Badge tone={toneOf(CAMPAIGN_STATUS_TONES, c.status)}>
                {c.status}
                {c.currentStage === 2 && c.status === 'active' ? ' · sign-off' : ''}
              </Badge>
            ),
            progress: c.itemCount ? `${Math.round((c.decidedCount / c.itemCount) * 100)}% of ${formatNumber(c.itemCount)}` : '—',
            due: formatDate(c.dueAt),
            recurs: c.recurrence === 'none' ? '—' : c.recurrence,
          },
        }))}
      />
    </>
  )
}
