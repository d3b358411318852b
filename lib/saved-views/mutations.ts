import 'server-only'
import { auditTarget, recordAudit } from '@/lib/audit/record'
import { assertCan, type UserCtx } from '@/lib/auth/org-context'
import { can } from '@/lib/auth/permissions'
import { db, type Tx } from '@/lib/db'
import { ConflictError, ForbiddenError, NotFoundError, ValidationError } from '@/lib/errors'
import { canonicalViewParams } from '@/lib/inventory/view-params'
import { MAX_VIEWS_PER_PERSON, type CreateSavedViewInput, type UpdateSavedViewInput } from '@/lib/saved-views/schemas'
import { SHARE_PERMISSION, DELETE_SHARED_PERMISSION, toQuery } from '@/lib/saved-views/rules'

/** Only the canonical, valid part of what the browser sent is stored (no page number, no unknown params). */
function canonical(query: string) {
  return canonicalViewParams(new URLSearchParams(query))
}

async function assertNameFree(tx: Tx, ctx: UserCtx, name: string, exceptId?: string) {
  const clash = await tx.savedView.findFirst({
    where: { orgId: ctx.org.id, ownerId: ctx.user.id, name, ...(exceptId ? { id: { not: exceptId } } : {}) },
    select: { id: true },
  })
  if (clash) throw new ConflictError(`You already have a view named “${name}”. Choose another name.`)
}

function duplicateName(err: unknown, name: string) {
  return (err as { code?: string })?.code === 'P2002' ? new ConflictError(`You already have a view named “${name}”. Choose another name.`) : err
}

export async function createSavedView(ctx: UserCtx, input: Omit<CreateSavedViewInput, 'orgSlug'>) {
  assertCan(ctx, 'identity:read')
  // A shared view appears in everyone's menu: publishing to the organization is for the roles that define review scopes.
  if (input.shared && !can(ctx.role, SHARE_PERMISSION))
    throw new ForbiddenError('Only admins and governance can share views with the organization. Save it as a personal view.')
  const params = canonical(input.params)
  try {
    return await db.$transaction(async (tx) => {
      const count = await tx.savedView.count({ where: { orgId: ctx.org.id, ownerId: ctx.user.id } })
      if (count >= MAX_VIEWS_PER_PERSON)
        throw new ValidationError(`You have ${MAX_VIEWS_PER_PERSON} saved views, the most one person can keep. Delete one first.`, {
          name: ['Too many saved views.'],
        })
      await assertNameFree(tx, ctx, input.name)
      const view = await tx.savedView.create({
        data: { orgId: ctx.org.id, ownerId: ctx.user.id, name: input.name, params: JSON.stringify(params), shared: input.shared },
        select: { id: true, name: true, shared: true },
      })
      await recordAudit(tx, ctx, { action: 'saved-view.create', ...auditTarget('saved-view', view), details: { shared: view.shared, params } })
      return { ...view, query: toQuery(params) }
    })
  } catch (err) {
    throw duplicateName(err, input.name)
  }
}

/** Visible to the caller: their own views and the organization's shared ones. Another person's personal view does not exist for them. */
async function findVisible(tx: Tx, ctx: UserCtx, id: string) {
  const view = await tx.savedView.findFirst({
    where: { id, orgId: ctx.org.id, OR: [{ ownerId: ctx.user.id }, { shared: true }] },
    select: { id: true, name: true, ownerId: true, shared: true, params: true },
  })
  if (!view) throw new NotFoundError('View not found')
  return view
}

export async function updateSavedView(ctx: UserCtx, input: Omit<UpdateSavedViewInput, 'orgSlug'>) {
  assertCan(ctx, 'identity:read')
  try {
    return await db.$transaction(async (tx) => {
      const view = await findVisible(tx, ctx, input.viewId)
      if (view.ownerId !== ctx.user.id) throw new ForbiddenError('Only the person who saved this view can change it.')
      // Turning sharing on needs the permission; anyone may take their own view back to personal.
      if (input.shared === true && !view.shared && !can(ctx.role, SHARE_PERMISSION))
        throw new ForbiddenError('Only admins and governance can share views with the organization.')
      if (input.name !== undefined && input.name !== view.name) await assertNameFree(tx, ctx, input.name, view.id)
      const params = input.params !== undefined ? canonical(input.params) : undefined
      const updated = await tx.savedView.update({
        where: { id: view.id, orgId: ctx.org.id },
        data: {
          ...(input.name !== undefined ? { name: input.name } : {}),
          ...(input.shared !== undefined ? { shared: input.shared } : {}),
          ...(params ? { params: JSON.stringify(params) } : {}),
        },
        select: { id: true, name: true, shared: true, params: true },
      })
      const changes: Record<string, unknown> = {}
      if (updated.name !== view.name) changes.name = { from: view.name, to: updated.name }
      if (updated.shared !== view.shared) changes.shared = { from: view.shared, to: updated.shared }
      if (updated.params !== view.params) changes.params = { from: JSON.parse(view.params), to: params }
      await recordAudit(tx, ctx, { action: 'saved-view.update', targetType: 'saved-view', targetId: view.id, targetLabel: updated.name, details: changes })
      return { id: updated.id, name: updated.name, shared: updated.shared, query: toQuery(JSON.parse(updated.params)) }
    })
  } catch (err) {
    throw duplicateName(err, input.name ?? '')
  }
}

export async function deleteSavedView(ctx: UserCtx, viewId: string) {
  assertCan(ctx, 'identity:read')
  return db.$transaction(async (tx) => {
    const view = await findVisible(tx, ctx, viewId)
    if (view.ownerId !== ctx.user.id && !can(ctx.role, DELETE_SHARED_PERMISSION))
      throw new ForbiddenError('Only the person who saved this view, or an admin, can delete it.')
    await tx.savedView.delete({ where: { id: view.id, orgId: ctx.org.id } })
    await recordAudit(tx, ctx, {
      action: 'saved-view.delete',
      ...auditTarget('saved-view', view),
      details: { shared: view.shared, ownerId: view.ownerId, params: JSON.parse(view.params) },
    })
    return { id: view.id }
  })
}
