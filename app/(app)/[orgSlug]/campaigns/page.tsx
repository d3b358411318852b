import type { Metadata } from 'next'
import Link from 'next/link'
import { Badge } from '@/components/ui/badge'
import { buttonClass } from '@/components/ui/button'
import { EmptyState } from '@/components/ui/empty-state'
import { Forbidden } from '@/components/ui/forbidden'
import { formatDate, formatNumber } from '@/components/ui/format'
import { PageHeader } from '@/components/ui/page-header'
import { pageAllows, pageContext } from '@/lib/auth/session'
import { can } from '@/lib/auth/permissions'
import { listCampaigns } from '@/lib/campaigns/queries'
import { STATUS_TONES, TYPE_SHORT } from './_components/status'

export const metadata: Metadata = { title: 'Campaigns' }


export default async function CampaignsPage({ params }: { params: Promise<{ orgSlug: string }> }) {
  const { orgSlug } = await params
  const ctx = await pageContext(orgSlug)
  if (!(await pageAllows(ctx, 'campaign:read', 'campaigns'))) return <Forbidden orgSlug={ctx.org.slug} what="campaigns" />
  const campaigns = await listCampaigns(ctx)
  const manage = can(ctx.role, 'campaign:manage')
  return (
    <>
      <PageHeader
        title="Access review campaigns"
        description="Owners decide, in the browser, whether each non-human identity keeps its access."
        actions={manage ? <Link href={`/${ctx.org.slug}/campaigns/new`} className={buttonClass()}>New campaign</Link> : null}
      />
      <div className="overflow-hidden rounded-lg border border-slate-200 bg-white shadow-sm">
        {campaigns.length === 0 ? (
          <EmptyState title="No campaigns yet" action={manage ? <Link href={`/${ctx.org.slug}/campaigns/new`} className={buttonClass('secondary', 'sm')}>Define the first one</Link> : null}>
            A campaign asks each owner to keep or revoke what their identities can reach, with evidence for the auditors.
          </EmptyState>
        ) : (
          <table className="min-w-full text-sm" aria-label="Campaigns">
            <thead className="bg-slate-50 text-left text-xs uppercase tracking-wide text-slate-500">
              <tr>
                <th scope="col" className="px-4 py-2">Name</th><th scope="col" className="px-4">Type</th><th scope="col" className="px-4">Status</th>
                <th scope="col" className="px-4">Progress</th><th scope="col" className="px-4">Due</th><th scope="col" className="px-4">Recurs</th>
              </tr>
            </thead>
            <tbody className="divide-y divide-slate-100">
              {campaigns.map((c) => {
                const pct = c.itemCount ? Math.round((c.decidedCount / c.itemCount) * 100) : 0
                return (
                  <tr key={c.id} className="hover:bg-slate-50">
                    <td className="px-4 py-2"><Link href={`/${ctx.org.slug}/campaigns/${c.id}`} className="font-medium text-slate-900 hover:text-indigo-700">{c.name}</Link></td>
                    <td className="px-4 text-slate-600">{TYPE_SHORT[c.type] ?? c.type}</td>
                    <td className="px-4"><Badge tone={STATUS_TONES[c.status] ?? 'gray'}>{c.status}{c.currentStage === 2 && c.status === 'active' ? ' · sign-off' : ''}</Badge></td>
                    <td className="px-4 tabular-nums text-slate-700">{c.itemCount ? `${pct}% of ${formatNumber(c.itemCount)}` : '—'}</td>
                    <td className="px-4 text-slate-600">{formatDate(c.dueAt)}</td>
                    <td className="px-4 text-slate-600">{c.recurrence === 'none' ? '—' : c.recurrence}</td>
                  </tr>
                )
              })}
            </tbody>
          </table>
        )}
      </div>
    </>
  )
}
