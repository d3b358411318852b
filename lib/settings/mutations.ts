import 'server-only'
import { auditTarget, recordAudit } from '@/lib/audit/record'
import { assertCan, type UserCtx } from '@/lib/auth/org-context'
import { db } from '@/lib/db'
import { ValidationError } from '@/lib/errors'
import { orgSettingsSchema, parseOrgSettings, storedSettings, type LeakResponse } from '@/lib/settings/schemas'

/** What the leak intake does when one of the organization's governed secrets is reported public; other settings are kept. */
export async function updateLeakResponseSetting(ctx: UserCtx, input: { leakResponse: LeakResponse }) {
  assertCan(ctx, 'settings:manage')
  return db.$transaction(async (tx) => {
    const org = await tx.organization.findUniqueOrThrow({ where: { id: ctx.org.id }, select: { settings: true } })
    const stored = storedSettings(org.settings)
    const before = parseOrgSettings(org.settings).leakResponse
    const parsed = orgSettingsSchema.safeParse({ ...stored, leakResponse: input.leakResponse })
    if (!parsed.success) throw new ValidationError('The stored settings are out of range; fix the posture thresholds first.')
    await tx.organization.update({ where: { id: ctx.org.id }, data: { settings: JSON.stringify(parsed.data) } })
    await recordAudit(tx, ctx, {
      action: 'settings.update',
      ...auditTarget('organization', ctx.org),
      details: { before: { leakResponse: before }, after: { leakResponse: input.leakResponse } },
    })
    return { leakResponse: parsed.data.leakResponse }
  })
}
