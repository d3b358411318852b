import type { Permission } from '@/lib/auth/permissions'

/** Sharing a view publishes it to everyone in the organization: the roles that define review scopes (admin, governance). */
export const SHARE_PERMISSION: Permission = 'campaign:manage'
/** Deleting someone else's shared view: admins, who curate the organization's settings. */
export const DELETE_SHARED_PERMISSION: Permission = 'settings:manage'

export function toQuery(params: Record<string, string>): string {
  return new URLSearchParams(params).toString()
}
