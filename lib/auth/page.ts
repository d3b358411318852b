import 'server-only'
import { notFound, redirect } from 'next/navigation'
import { recordDenied } from '@/lib/audit/record'
import { requireOrgContext, type OrgContext } from '@/lib/auth/context'
import { can, type Permission } from '@/lib/auth/permissions'
import { AppError } from '@/lib/errors'

/** For server components: the org context, or the right navigation (sign-in, 404). */
export async function pageContext(orgSlug: string): Promise<OrgContext> {
  try {
    return await requireOrgContext(orgSlug)
  } catch (err) {
    if (err instanceof AppError && err.status === 401) redirect('/sign-in')
    if (err instanceof AppError && err.status === 404) notFound()
    throw err
  }
}

/** True when allowed; otherwise records the refused attempt so the page can render <Forbidden />. */
export async function pageAllows(ctx: OrgContext, permission: Permission, page: string): Promise<boolean> {
  if (can(ctx.role, permission)) return true
  await recordDenied(ctx, { action: `page.view`, targetType: 'page', targetLabel: page, details: { permission, role: ctx.role } })
  return false
}

/** Runs a query; a domain NotFound becomes the 404 page, recorded as a refused attempt (ids of another organization land here). */
export async function orNotFound<T>(p: Promise<T>, ctx: OrgContext, target: { type: string; id: string }): Promise<T> {
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
