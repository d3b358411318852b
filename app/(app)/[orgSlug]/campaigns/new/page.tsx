import type { Metadata } from 'next'
import { Forbidden } from '@/components/ui/forbidden'
import { renderTime } from '@/components/ui/format'
import { PageHeader } from '@/components/ui/page-header'
import { pageAllows, pageContext } from '@/lib/auth/session'
import { ROLE_LABELS } from '@/lib/auth/permissions'
import { listReviewers } from '@/lib/campaigns/queries'
import { OWASP_CODES, OWASP_LABELS, RULES } from '@/lib/findings/rules'
import { getOrgSettings, listFilterOptions } from '@/lib/inventory/queries'
import { filterToSearchParams } from '@/lib/inventory/schemas'
import { parseInventoryFilter } from '@/lib/inventory/view-params'
import { CampaignForm } from '../_components/campaign-form'

export const metadata: Metadata = { title: 'New campaign' }

export default async function NewCampaignPage({
  params,
  searchParams,
}: {
  params: Promise<{ orgSlug: string }>
  searchParams: Promise<Record<string, string | string[] | undefined>>
}) {
  const { orgSlug } = await params
  const ctx = await pageContext(orgSlug)
  if (!(await pageAllows(ctx, 'campaign:manage', 'campaigns/new'))) return <Forbidden orgSlug={ctx.org.slug} what="defining campaigns" />
  // "Review these" on the inventory links here with its filter: the same params, the same model as a campaign's scope.
  const scope = parseInventoryFilter(await searchParams)
  const fromInventory = filterToSearchParams(scope).size > 0
  const [options, reviewers, settings] = await Promise.all([listFilterOptions(ctx), listReviewers(ctx), getOrgSettings(ctx)])
  return (
    <>
      <PageHeader title="New access review campaign" description="Pick who is in scope, who reviews, and what happens when nobody answers." />
      <CampaignForm
        orgSlug={ctx.org.slug}
        sources={options.sources.map((s) => ({ value: s.id, label: s.name }))}
        people={options.people.map((p) => ({ id: p.id, name: p.name, email: p.email }))}
        teams={options.teams.map((t) => ({ value: t.id, label: t.name }))}
        reviewers={reviewers.map((r) => ({ id: r.id, name: r.name, email: r.email, note: ROLE_LABELS[r.role as keyof typeof ROLE_LABELS] ?? r.role }))}
        findings={[
          ...OWASP_CODES.map((c) => ({ value: c, label: `${c} ${OWASP_LABELS[c]}` })),
          ...RULES.map((r) => ({ value: r.id, label: `${r.title(settings)} (${r.owaspCode})` })),
        ]}
        defaultDue={new Date(renderTime() + 14 * 86_400_000).toISOString().slice(0, 10)}
        defaultReviewer={reviewers.find((r) => r.id === ctx.user.id)?.id ?? reviewers[0]?.id ?? ''}
        initialScope={fromInventory ? scope : undefined}
      />
    </>
  )
}
