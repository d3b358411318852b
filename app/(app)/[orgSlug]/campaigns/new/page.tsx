import type { Metadata } from 'next'
import { Forbidden } from '@/components/ui/forbidden'
import { renderTime } from '@/components/ui/format'
import { PageHeader } from '@/components/ui/page-header'
import { pageAllows, pageContext } from '@/lib/auth/page'
import { listReviewers } from '@/lib/campaigns/queries'
import { listFilterOptions } from '@/lib/inventory/queries'
import { CampaignForm } from '../_components/campaign-form'

export const metadata: Metadata = { title: 'New campaign' }

export default async function NewCampaignPage({ params }: { params: Promise<{ orgSlug: string }> }) {
  const { orgSlug } = await params
  const ctx = await pageContext(orgSlug)
  if (!(await pageAllows(ctx, 'campaign:manage', 'campaigns/new'))) return <Forbidden orgSlug={ctx.org.slug} what="defining campaigns" />
  const [options, reviewers] = await Promise.all([listFilterOptions(ctx), listReviewers(ctx)])
  return (
    <>
      <PageHeader title="New access review campaign" description="Pick who is in scope, who reviews, and what happens when nobody answers." />
      <CampaignForm
        orgSlug={ctx.org.slug}
        sources={options.sources.map((s) => ({ value: s.id, label: s.name }))}
        people={options.people.map((p) => ({ value: p.id, label: p.name }))}
        teams={options.teams.map((t) => ({ value: t.id, label: t.name }))}
        reviewers={reviewers.map((r) => ({ value: r.id, label: `${r.name} (${r.role})` }))}
        defaultDue={new Date(renderTime() + 14 * 86_400_000).toISOString().slice(0, 10)}
        defaultReviewer={reviewers.find((r) => r.id === ctx.user.id)?.id ?? reviewers[0]?.id ?? ''}
      />
    </>
  )
}
