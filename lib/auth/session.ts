import 'server-only'
import { notFound, redirect } from 'next/navigation'
import { cache } from 'react'
import { recordDenied } from '@/lib/audit/record'
import { auth } from '@/lib/auth/config'
import type { UserCtx } from '@/lib/auth/org-context'
import { can, isRole, type Permission } from '@/lib/auth/permissions'
import { db } from '@/lib/db'
import { AppError, NotFoundError, UnauthorizedError } from '@/lib/errors'

// The signed-in person of a request and their context in an organization: used by actions, route handlers and pages.

/** The signed-in, active person, read from the database (the session only carries their id). */
export const getCurrentUser = cache(async () => {
  const session = await auth()
  const id = session?.user?.id
  if (!id) return null
  const user = await db.user.findUnique({ where: { id }, select: { id: true, name: true, email: true, active: true } })
  if (!user || !user.active) return null
  return { id: user.id, name: user.name, email: user.email }
})

/** Membership and role come from the database on every request, never from the JWT. */
export const requireOrgContext = cache(async (orgSlug: string): Promise<UserCtx> => {
  const user = await getCurrentUser()
  if (!user) throw new UnauthorizedError()
  if (typeof orgSlug !== 'string' || orgSlug.length > 64) throw new NotFoundError('Organization not found')
  const membership = await db.membership.findFirst({
    where: { userId: user.id, status: 'active', org: { slug: orgSlug } },
    select: { role: true, org: { select: { id: true, slug: true, name: true } } },
  })
  // Not a member: answer as if the organization did not exist.
  if (!membership || !isRole(membership.role)) throw new NotFoundError('Organization not found')
  return {
    org: membership.org,
    user,
    role: membership.role,
    actor: { type: 'user', id: user.id, label: user.email },
  }
})

export async function listMyOrgs(userId: string) {
  return db.membership.findMany({
    where: { userId, status: 'active' },
    select: { role: true, org: { select: { slug: true, name: true } } },
    orderBy: { createdAt: 'asc' },
  })
}

/** For server components: the org context, or the right navigation (sign-in, 404). */
export async function pageContext(orgSlug: string): Promise<UserCtx> {
  try {
    return await requireOrgContext(orgSlug)
  } catch (err) {
    if (err instanceof AppError && err.status === 401) redirect('/sign-in')
    if (err instanceof AppError && err.status === 404) notFound()
    throw err
  }
}

/** True when allowed; otherwise records the refused attempt so the page can render <Forbidden />. */
export async function pageAllows(ctx: UserCtx, permission: Permission, page: string): Promise<boolean> {
  if (can(ctx.role, permission)) return true
  await recordDenied(ctx, { action: `page.view`, targetType: 'page', targetLabel: page, details: { permission, role: ctx.role } })
  return false
}

/** Runs a query; a domain NotFound becomes the 404 page, recorded as a refused attempt (ids of another organization land here). */
export async function orNotFound<T>(p: Promise<T>, ctx: UserCtx, target: { type: string; id: string }): Promise<T> {
  try {
    return await p
  } catch (err) {
    if (err instanceof AppError && err.status === 404) {
      await recordDenied(ctx, { action: `page.view`, targetType: target.type, targetId: target.id.slice(0, 64), details: { reason: err.message, status: 404 } })
      notFound()
    }
    throw err
  }
}
