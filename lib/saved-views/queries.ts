import 'server-only'
import { assertCan, type UserCtx } from '@/lib/auth/org-context'
import { can } from '@/lib/auth/permissions'
import { db } from '@/lib/db'
import { canonicalViewParams } from '@/lib/inventory/view-params'
import { DELETE_SHARED_PERMISSION, SHARE_PERMISSION, toQuery } from '@/lib/saved-views/rules'

export type SavedViewDto = { id: string; name: string; shared: boolean; mine: boolean; ownerName: string; query: string; canEdit: boolean; canDelete: boolean }

/** The caller's own views, then the organization's shared views, each by name. */
export async function listSavedViews(ctx: UserCtx): Promise<{ views: SavedViewDto[]; canShare: boolean }> {
  assertCan(ctx, 'identity:read')
  const rows = await db.savedView.findMany({
    where: { orgId: ctx.org.id, OR: [{ ownerId: ctx.user.id }, { shared: true }] },
    select: { id: true, name: true, shared: true, ownerId: true, params: true, owner: { select: { name: true } } },
    orderBy: [{ name: 'asc' }, { id: 'asc' }],
    take: 500,
  })
  const adminDelete = can(ctx.role, DELETE_SHARED_PERMISSION)
  const views = rows.map((r) => {
    const mine = r.ownerId === ctx.user.id
    // Stored params were canonical when saved; parsing again drops anything a later version no longer knows.
    let params: Record<string, string> = {}
    try {
      params = canonicalViewParams(JSON.parse(r.params) as Record<string, string>)
    } catch {}
    return { id: r.id, name: r.name, shared: r.shared, mine, ownerName: r.owner.name, query: toQuery(params), canEdit: mine, canDelete: mine || adminDelete }
  })
  views.sort((a, b) => Number(b.mine) - Number(a.mine))
  return { views, canShare: can(ctx.role, SHARE_PERMISSION) }
}
