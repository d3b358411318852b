import 'server-only'
import { stringsOf } from '@/lib/json'
import { assertCan, type UserCtx } from '@/lib/auth/org-context'
import { can, isRole, ROLE_LABELS } from '@/lib/auth/permissions'
import { db } from '@/lib/db'
import { kindOf, SCHEDULED_REPORTS } from '@/lib/report-schedules/schemas'

export type Recipient = { id: string; name: string; email: string; role: string }

/**
 * Members a report may be e-mailed to: active people of this organization whose role downloads reports (the link
 * asks them to sign in and checks report:export again).
 */
export async function eligibleRecipients(orgId: string, userIds?: string[]): Promise<Recipient[]> {
  const rows = await db.membership.findMany({
    where: { orgId, status: 'active', user: { active: true }, ...(userIds ? { userId: { in: userIds } } : {}) },
    select: { role: true, user: { select: { id: true, name: true, email: true } } },
    orderBy: { user: { name: 'asc' } },
  })
  return rows.filter((m) => isRole(m.role) && can(m.role, 'report:export')).map((m) => ({ ...m.user, role: isRole(m.role) ? ROLE_LABELS[m.role] : m.role }))
}

export async function listRecipientChoices(ctx: UserCtx): Promise<Recipient[]> {
  assertCan(ctx, 'settings:manage')
  return eligibleRecipients(ctx.org.id)
}

/** The organization's schedules with their recipients named (people who left are shown as such). */
export async function listReportSchedules(ctx: UserCtx) {
  assertCan(ctx, 'settings:manage')
  const rows = await db.reportSchedule.findMany({ where: { orgId: ctx.org.id }, orderBy: { createdAt: 'asc' } })
  const ids = [...new Set(rows.flatMap((r) => stringsOf(r.recipients)))]
  const people = ids.length ? await eligibleRecipients(ctx.org.id, ids) : []
  const byId = new Map(people.map((p) => [p.id, p]))
  return rows.map((r) => {
    const kind = kindOf(r)
    return {
      id: r.id,
      kind,
      label: kind ? SCHEDULED_REPORTS[kind].label : `${r.report} (${r.cadence})`,
      recipients: stringsOf(r.recipients).map((id) => byId.get(id) ?? { id, name: 'no longer receives reports', email: '', role: '' }),
      createdAt: r.createdAt,
      lastSentAt: r.lastSentAt,
    }
  })
}
