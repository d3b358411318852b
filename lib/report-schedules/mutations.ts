import 'server-only'
import { stringsOf } from '@/lib/json'
import { recordAudit } from '@/lib/audit/record'
import { assertCan, type UserCtx } from '@/lib/auth/org-context'
import { db } from '@/lib/db'
import { ForeignReferenceError, NotFoundError, ValidationError } from '@/lib/errors'
import { eligibleRecipients } from '@/lib/report-schedules/queries'
import { SCHEDULED_REPORTS, type CreateReportScheduleInput } from '@/lib/report-schedules/schemas'

export async function createReportSchedule(ctx: UserCtx, input: Omit<CreateReportScheduleInput, 'orgSlug'>) {
  assertCan(ctx, 'settings:manage')
  const { report, cadence, label } = SCHEDULED_REPORTS[input.kind]
  const found = await eligibleRecipients(ctx.org.id, input.recipientIds)
  const missing = input.recipientIds.filter((id) => !found.some((p) => p.id === id))
  if (missing.length) {
    // Ids the form never offers: someone of another organization, a deactivated person, or a role without report:export.
    const members = await db.membership.count({ where: { orgId: ctx.org.id, status: 'active', userId: { in: missing } } })
    if (members < missing.length) {
      throw new ForeignReferenceError('Someone chosen is not a member of this organization.', { recipientIds: ['Choose members of this organization.'] })
    }
    throw new ValidationError('Reports can only be e-mailed to active admins, governance members and auditors.', {
      recipientIds: ['Choose people whose role can download reports.'],
    })
  }
  return db.$transaction(async (tx) => {
    const row = await tx.reportSchedule.create({
      data: { orgId: ctx.org.id, report, cadence, recipients: JSON.stringify(input.recipientIds), createdById: ctx.user.id },
      select: { id: true },
    })
    await recordAudit(tx, ctx, {
      action: 'report-schedule.create',
      targetType: 'report-schedule',
      targetId: row.id,
      targetLabel: label,
      details: { report, cadence, recipients: found.map((p) => ({ id: p.id, name: p.name })) },
    })
    return row
  })
}

export async function deleteReportSchedule(ctx: UserCtx, input: { scheduleId: string }) {
  assertCan(ctx, 'settings:manage')
  const row = await db.reportSchedule.findFirst({ where: { id: input.scheduleId, orgId: ctx.org.id } })
  if (!row) throw new NotFoundError('Schedule not found')
  const ids = stringsOf(row.recipients)
  const people = await db.user.findMany({ where: { id: { in: ids }, memberships: { some: { orgId: ctx.org.id } } }, select: { id: true, name: true } })
  const label = Object.values(SCHEDULED_REPORTS).find((v) => v.report === row.report && v.cadence === row.cadence)?.label ?? `${row.report} (${row.cadence})`
  await db.$transaction(async (tx) => {
    await tx.reportSchedule.delete({ where: { id: row.id, orgId: ctx.org.id } })
    await recordAudit(tx, ctx, {
      action: 'report-schedule.delete',
      targetType: 'report-schedule',
      targetId: row.id,
      targetLabel: label,
      details: { report: row.report, cadence: row.cadence, recipients: people, lastSentAt: row.lastSentAt },
    })
  })
}
