// The hot queries of every page a person opens at scale, as the pages call them (the same domain functions and
// parameter schemas), for the query-plan guard and bench/plans.ts.
import type { UserCtx } from '../../lib/auth/org-context'
import type { Role } from '../../lib/auth/permissions'
import { listAuditEvents } from '../../lib/audit/queries'
import { auditListSchema } from '../../lib/audit/schemas'
import { campaignStats, listCampaignItems, listMyReviewItems } from '../../lib/campaigns/queries'
import { campaignItemsSchema, reviewListSchema } from '../../lib/campaigns/schemas'
import { getDashboard } from '../../lib/dashboard/queries'
import { listFindings } from '../../lib/findings/queries'
import { findingListSchema } from '../../lib/findings/schemas'
import { getIdentityOrThrow, listIdentities } from '../../lib/inventory/queries'
import { identityListSchema } from '../../lib/inventory/schemas'
import { listMembers } from '../../lib/members/queries'
import { getMyOverview } from '../../lib/ownership/queries'
import { listSources } from '../../lib/sources/queries'

export type PageCall = { name: string; run: () => Promise<unknown> }

export function hotPageCalls(
  ctx: (role: Role) => UserCtx,
  ids: { busiestIdentity: string; typicalIdentity: string; campaignId?: string; busiestOwner?: UserCtx['user'] },
): PageCall[] {
  const inventory = (name: string, params: Record<string, string>): PageCall => ({
    name: `inventory ${name}`,
    run: () => listIdentities(ctx('governance'), identityListSchema.parse(params)),
  })
  return [
    { name: 'identity page (most grants)', run: () => getIdentityOrThrow(ctx('admin'), ids.busiestIdentity) },
    { name: 'identity page (typical, member)', run: () => getIdentityOrThrow(ctx('member'), ids.typicalIdentity) },
    ...(['governance', 'member', 'auditor'] as const).map((role) => ({ name: `My identities (${role})`, run: () => getMyOverview(ctx(role), 1) })),
    { name: 'Findings', run: () => listFindings(ctx('governance'), findingListSchema.parse({})) },
    {
      name: 'Findings critical in production',
      run: () => listFindings(ctx('governance'), findingListSchema.parse({ severity: 'critical', env: 'production' })),
    },
    { name: 'Findings NHI5, page 3', run: () => listFindings(ctx('governance'), findingListSchema.parse({ code: 'NHI5', page: '3' })) },
    inventory('default', {}),
    inventory('credAge=365', { credAge: '365' }),
    inventory('finding=NHI5', { finding: 'NHI5' }),
    inventory('finding=NHI1', { finding: 'NHI1' }),
    inventory('unowned + privileged', { owner: 'unowned', privileged: 'yes' }),
    inventory('dormant', { dormant: 'yes' }),
    inventory('sort by name, page 200', { sort: 'name', dir: 'asc', page: '200' }),
    inventory('sort by last used', { sort: 'lastUsedAt', dir: 'desc' }),
    inventory('deep page 2,000', { page: '2000' }),
    inventory('search "payments"', { q: 'payments' }),
    inventory('search "payments", kind = API key', { q: 'payments', kind: 'api_key' }),
    inventory('kind = API key, production', { kind: 'api_key', env: 'production' }),
    { name: 'dashboard', run: () => getDashboard(ctx('governance'), 30) },
    { name: 'audit', run: () => listAuditEvents(ctx('auditor'), auditListSchema.parse({})) },
    { name: 'audit, page 100', run: () => listAuditEvents(ctx('auditor'), auditListSchema.parse({ page: '100' })) },
    { name: 'audit, one action', run: () => listAuditEvents(ctx('auditor'), auditListSchema.parse({ action: 'identity.assign-owner' })) },
    { name: 'audit, refused attempts', run: () => listAuditEvents(ctx('auditor'), auditListSchema.parse({ outcome: 'denied' })) },
    { name: 'audit, by actor', run: () => listAuditEvents(ctx('auditor'), auditListSchema.parse({ actor: 'ada' })) },
    { name: 'My reviews', run: () => listMyReviewItems(ctx('governance'), reviewListSchema.parse({})) },
    { name: 'Findings sorted by risk, descending', run: () => listFindings(ctx('governance'), findingListSchema.parse({ dir: 'desc' })) },
    { name: 'sources', run: () => listSources(ctx('governance')) },
    { name: 'settings (members)', run: () => listMembers(ctx('admin')) },
    ...(ids.busiestOwner
      ? [
          {
            name: 'My identities (busiest owner)',
            run: () =>
              getMyOverview(
                { ...ctx('member'), user: ids.busiestOwner!, actor: { type: 'user' as const, id: ids.busiestOwner!.id, label: ids.busiestOwner!.email } },
                1,
              ),
          },
          {
            name: 'My identities (busiest owner), page 3',
            run: () =>
              getMyOverview(
                { ...ctx('member'), user: ids.busiestOwner!, actor: { type: 'user' as const, id: ids.busiestOwner!.id, label: ids.busiestOwner!.email } },
                3,
              ),
          },
        ]
      : []),
    ...(ids.campaignId
      ? [
          { name: 'campaign statistics', run: () => campaignStats(ctx('governance'), ids.campaignId!) },
          { name: 'campaign items', run: () => listCampaignItems(ctx('governance'), ids.campaignId!, campaignItemsSchema.parse({})) },
        ]
      : []),
  ]
}

/** The person who owns the most identities of the organization (My identities at its heaviest), or null. */
export async function busiestOwnerOf(db: typeof import('../../lib/db').db, orgId: string): Promise<UserCtx['user'] | null> {
  const [top] = await db.identity.groupBy({
    by: ['ownerId'],
    where: { orgId, ownerId: { not: null } },
    _count: { _all: true },
    orderBy: { _count: { ownerId: 'desc' } },
    take: 1,
  })
  return top?.ownerId ? db.user.findUnique({ where: { id: top.ownerId }, select: { id: true, name: true, email: true } }) : null
}
