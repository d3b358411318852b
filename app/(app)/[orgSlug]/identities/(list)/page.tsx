import type { Metadata } from 'next'
import Link from 'next/link'
import { type ListPageProps, paging } from '@/components/data-table/search-params'
import { buttonClass } from '@/components/ui/button'
import { EmptyState } from '@/components/ui/empty-state'
import { PageHeader } from '@/components/ui/page-header'
import { capitalize, formatCount, formatNumber, optionsOf } from '@/components/ui/format'
import { pageContext } from '@/lib/auth/session'
import { can } from '@/lib/auth/permissions'
import { OWASP_CODES, OWASP_LABELS, RULES } from '@/lib/findings/rules'
import { getOrgSettings, identityFacets, listFilterOptions, listIdentities } from '@/lib/inventory/queries'
import {
  ENVIRONMENTS,
  IDENTITY_KINDS,
  IDENTITY_STATUSES,
  KIND_LABELS,
  CRED_AGE_LABELS,
  PRIVILEGED_LABELS,
  RISK_LABELS,
  usageLabels,
} from '@/lib/inventory/schemas'
import { canonicalViewParams, filterQuery, parseInventoryView } from '@/lib/inventory/view-params'
import { listAssignees } from '@/lib/ownership/queries'
import { personStatus } from '@/lib/members/person'
import { listSavedViews } from '@/lib/saved-views/queries'
import { toQuery } from '@/lib/saved-views/rules'
import { FilterBar, type FacetDef } from '../_components/filter-bar'
import { IdentitiesTable, type IdentityRow } from '../_components/identities-table'
import { OwnerTabs } from '../_components/owner-tabs'
import { SavedViewsMenu } from '../_components/saved-views-menu'
import { SuggestionsBulkButton } from '../_components/suggestions-bulk-button'

export const metadata: Metadata = { title: 'Identities' }

export default async function IdentitiesPage({ params, searchParams }: ListPageProps) {
  const ctx = await pageContext((await params).orgSlug)
  const sp = await searchParams
  const { params: p, hide } = parseInventoryView(sp)
  const canAssign = can(ctx.role, 'identity:assign-owner')
  const canReview = can(ctx.role, 'campaign:manage')
  const [list, facets, options, assignees, saved, settings] = await Promise.all([
    listIdentities(ctx, p),
    identityFacets(ctx, p),
    listFilterOptions(ctx),
    canAssign ? listAssignees(ctx) : null,
    listSavedViews(ctx),
    getOrgSettings(ctx),
  ])
  const filterQs = filterQuery(sp)

  const facetDefs: FacetDef[] = [
    {
      param: 'kind',
      multiple: true,
      label: 'Kind',
      options: IDENTITY_KINDS.map((k) => ({ value: k, label: KIND_LABELS[k], count: facets ? (facets.kind[k] ?? 0) : undefined })),
    },
    {
      param: 'source',
      multiple: true,
      label: 'Source',
      options: options.sources.map((s) => ({ value: s.id, label: s.name, count: facets ? (facets.source[s.id] ?? 0) : undefined })),
    },
    {
      param: 'env',
      multiple: true,
      label: 'Environment',
      options: ENVIRONMENTS.map((e) => ({ value: e, label: capitalize(e), count: facets ? (facets.environment[e] ?? 0) : undefined })),
    },
    {
      param: 'status',
      multiple: true,
      label: 'Status',
      options: IDENTITY_STATUSES.map((s) => ({ value: s, label: capitalize(s), count: facets ? (facets.status[s] ?? 0) : undefined })),
    },
    {
      param: 'owner',
      label: 'Owner',
      options: [
        { value: 'unowned', label: 'No owner' },
        { value: 'me', label: 'Me (owner or backup)' },
      ],
      people: options.people,
    },
    { param: 'team', label: 'Team', options: options.teams.map((t) => ({ value: t.id, label: t.name })) },
    {
      param: 'privileged',
      label: 'Privileged',
      options: optionsOf(PRIVILEGED_LABELS),
    },
    {
      param: 'dormant',
      label: 'Usage',
      options: optionsOf(usageLabels(list.dormantDays)),
    },
    {
      param: 'credAge',
      label: 'Secret age',
      options: optionsOf(CRED_AGE_LABELS),
    },
    {
      param: 'risk',
      label: 'Risk',
      options: optionsOf(RISK_LABELS),
    },
    {
      param: 'finding',
      label: 'Finding',
      options: [
        ...OWASP_CODES.map((c) => ({ value: c, label: `${c} ${OWASP_LABELS[c]}` })),
        ...RULES.map((r) => ({ value: r.id, label: `${r.title(settings)} (${r.owaspCode})` })),
      ],
    },
  ]

  // The query's scalar columns pass through; relations become names and dates ISO strings for the client table.
  const rows: IdentityRow[] = list.rows.map(({ source, owner, team, lastUsedAt, createdAt, oldestSecretAt, openFindings: _openFindings, ...r }) => ({
    ...r,
    source: source.name,
    sourceType: source.type,
    owner: owner?.name ?? null,
    ownerStatus: owner ? personStatus(owner) : null,
    team: team?.name ?? null,
    lastUsedAt: lastUsedAt?.toISOString() ?? null,
    createdAt: createdAt.toISOString(),
    oldestSecretAt: oldestSecretAt?.toISOString() ?? null,
  }))

  return (
    <>
      <PageHeader
        title="Identities"
        description={
          <span data-testid="identity-total">
            {list.totalAtLeast
              ? `More than ${formatNumber(list.total - 1)} non-human identities match (counting stops there; pages go on)`
              : `${formatNumber(list.total)} non-human ${list.total === 1 ? 'identity matches' : 'identities match'}`}
          </span>
        }
        actions={
          <>
            <OwnerTabs orgSlug={ctx.org.slug} current={p.owner} searchParams={sp} />
            {canAssign ? <SuggestionsBulkButton orgSlug={ctx.org.slug} total={list.total} totalAtLeast={list.totalAtLeast} /> : null}
          </>
        }
      />
      <div className="mb-3 flex flex-wrap items-center gap-2" data-testid="inventory-toolbar">
        <SavedViewsMenu orgSlug={ctx.org.slug} views={saved.views} canShare={saved.canShare} current={toQuery(canonicalViewParams(sp))} />
        <span className="flex-1" />
        <a
          href={`/api/orgs/${ctx.org.slug}/identities/export${filterQs ? `?${filterQs}` : ''}`}
          download
          className={buttonClass('secondary')}
          title={`Download the ${formatCount(list.total, list.totalAtLeast)} matching identities as a CSV file`}
        >
          Export CSV
        </a>
        {canReview ? (
          <Link
            href={`/${ctx.org.slug}/campaigns/new${filterQs ? `?${filterQs}` : ''}`}
            className={buttonClass('primary')}
            title="Start an access review campaign over the identities matching these filters"
          >
            Review these
          </Link>
        ) : null}
      </div>
      <FilterBar facets={facetDefs} query={p.q ?? ''} />
      <IdentitiesTable
        orgSlug={ctx.org.slug}
        list={{ rows, ...paging(p, list.total, list.totalAtLeast) }}
        hidden={hide}
        dormantDays={list.dormantDays}
        assign={assignees ?? undefined}
        emptyState={
          <EmptyState title="No identities match these filters">
            Clear a filter or search for something else. New identities arrive when a source syncs or an import runs.
          </EmptyState>
        }
      />
    </>
  )
}
