import 'server-only'
import { unstable_rethrow } from 'next/navigation'
import { z } from 'zod'
import { recordDenied } from '@/lib/audit/record'
import { requireOrgContext, type OrgContext } from '@/lib/auth/context'
import { can, type Permission } from '@/lib/auth/permissions'
import { AppError, mapPrismaError } from '@/lib/errors'

export type ActionResult<T> =
  | { ok: true; data: T }
  | { ok: false; error: string; fieldErrors?: Record<string, string[]> }

type Options<S extends z.ZodType<{ orgSlug: string }>, T> = {
  schema: S
  permission: Permission
  run: (args: { ctx: OrgContext; input: z.infer<S> }) => Promise<T>
}

/**
 * The one wrapper every server action uses: session -> input -> membership and role from the database
 * -> permission -> run -> errors mapped to something a person can act on.
 */
export function orgAction<S extends z.ZodType<{ orgSlug: string }>, T>(opts: Options<S, T>) {
  return async (raw: unknown): Promise<ActionResult<T>> => {
    try {
      const parsed = opts.schema.safeParse(raw)
      if (!parsed.success) {
        return { ok: false, error: 'Some fields need attention.', fieldErrors: z.flattenError(parsed.error).fieldErrors as Record<string, string[]> }
      }
      const ctx = await requireOrgContext(parsed.data.orgSlug)
      if (!can(ctx.role, opts.permission)) {
        await recordDenied(ctx, { action: `permission.${opts.permission}`, details: { role: ctx.role } })
        return { ok: false, error: 'You do not have permission to do this.' }
      }
      return { ok: true, data: await opts.run({ ctx, input: parsed.data }) }
    } catch (err) {
      unstable_rethrow(err)
      const mapped = mapPrismaError(err)
      if (mapped instanceof AppError) {
        return { ok: false, error: mapped.message, ...('fieldErrors' in mapped ? { fieldErrors: mapped.fieldErrors as Record<string, string[]> } : {}) }
      }
      console.error('action failed', err)
      return { ok: false, error: 'Something went wrong on our side. Nothing was changed; try again.' }
    }
  }
}
