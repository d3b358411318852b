import 'server-only'
import { cache } from 'react'
import { auth } from '@/lib/auth/config'
import type { OrgContext } from '@/lib/auth/org-context'
import { isRole } from '@/lib/auth/permissions'
import { db } from '@/lib/db'
import { NotFoundError, UnauthorizedError } from '@/lib/errors'

export type { Actor, OrgContext } from '@/lib/auth/org-context'

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
export const requireOrgContext = cache(async (orgSlug: string): Promise<OrgContext> => {
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
