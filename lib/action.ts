import 'server-only'
import { revalidatePath } from 'next/cache'
import { unstable_rethrow } from 'next/navigation'
import { z } from 'zod'
import { recordDenied } from '@/lib/audit/record'
import type { UserCtx } from '@/lib/auth/org-context'
import { requireOrgContext } from '@/lib/auth/session'
import { can, type Permission } from '@/lib/auth/permissions'
import { AppError, ForeignReferenceError, mapPrismaError } from '@/lib/errors'

export type ActionResult<T> = { ok: true; data: T } | { ok: false; error: string; fieldErrors?: Record<string, string[]> }

type Options<S extends z.ZodType<{ orgSlug: string }>, T> = {
  schema: S
  permission: Permission
  run: (args: { ctx: UserCtx; input: z.infer<S> }) => Promise<T> | T
  /**
   * Pages to re-render after a successful run, as paths under the organization (`'/settings'`); `''` is the whole
   * organization (its layout, so the navigation's counts too).
   */
  revalidate?: string | string[] | ((input: z.infer<S>) => string | string[])
}

/**
 * The one wrapper every server action uses: session -> input -> membership and role from the database
 * -> permission -> run -> errors mapped to something a person can act on.
 */
export function orgAction<S extends z.ZodType<{ orgSlug: string }>, T>(opts: Options<S, T>) {
  return async (raw: z.input<S>): Promise<ActionResult<T>> => {
    let ctx: UserCtx | null = null
    try {
      const parsed = opts.schema.safeParse(raw)
      if (!parsed.success) {
        return { ok: false, error: 'Some fields need attention.', fieldErrors: z.flattenError(parsed.error).fieldErrors as Record<string, string[]> }
      }
      ctx = await requireOrgContext(parsed.data.orgSlug)
      if (!can(ctx.role, opts.permission)) {
        await recordDenied(ctx, { action: `permission.${opts.permission}`, details: { role: ctx.role } })
        return { ok: false, error: 'You do not have permission to do this.' }
      }
      const data = await opts.run({ ctx, input: parsed.data })
      const paths = typeof opts.revalidate === 'function' ? opts.revalidate(parsed.data) : (opts.revalidate ?? [])
      for (const path of typeof paths === 'string' ? [paths] : paths) {
        if (path === '') revalidatePath(`/${ctx.org.slug}`, 'layout')
        else revalidatePath(`/${ctx.org.slug}${path}`)
      }
      return { ok: true, data }
    } catch (err) {
      unstable_rethrow(err)
      const mapped = mapPrismaError(err)
      if (mapped instanceof AppError) {
        // Object-level refusals (not yours, another organization's id) are refused attempts like a missing role.
        if (ctx && (mapped.status === 403 || mapped.status === 404 || mapped instanceof ForeignReferenceError))
          await recordDenied(ctx, refusal(opts.permission, mapped, raw))
        return { ok: false, error: mapped.message, ...('fieldErrors' in mapped ? { fieldErrors: mapped.fieldErrors as Record<string, string[]> } : {}) }
      }
      console.error('action failed', err)
      return { ok: false, error: 'Something went wrong on our side. Nothing was changed; try again.' }
    }
  }
}

const TARGET_KEYS = [
  'itemId',
  'identityId',
  'campaignId',
  'grantId',
  'credentialId',
  'remediationId',
  'jobId',
  'userId',
  'transferId',
  'findingId',
  'sourceId',
  'notificationId',
  'invitationId',
  'ownerRequestId',
  'viewId',
]

/** The audit row of an object-level refusal: what was asked for (ids only, never free text), and why it was refused. */
function refusal(permission: Permission, err: AppError, raw: unknown) {
  const input = raw && typeof raw === 'object' ? (raw as Record<string, unknown>) : {}
  const key = TARGET_KEYS.find((k) => typeof input[k] === 'string')
  const ids = Array.isArray(input.ids) ? input.ids.length : undefined
  return {
    action: `permission.${permission}`,
    targetType: key ? key.replace(/Id$/, '') : undefined,
    targetId: key ? String(input[key]).slice(0, 64) : undefined,
    details: { reason: err.message, status: err.status, ...(ids !== undefined ? { ids } : {}) },
  }
}
