import { can, type Permission, type Role } from '@/lib/auth/permissions'
import { ForbiddenError } from '@/lib/errors'

export type Actor = { type: 'user' | 'api_token' | 'system'; id: string | null; label: string }

/** Who acts, in which organization, with which role: the first parameter of every domain function. */
export type OrgContext = {
  org: { id: string; slug: string; name: string }
  user: { id: string; name: string; email: string }
  role: Role
  actor: Actor
}

export function assertCan(ctx: OrgContext, permission: Permission): void {
  if (!can(ctx.role, permission)) throw new ForbiddenError()
}
