import { z } from 'zod'

export const SCHEDULED_REPORTS = {
  'inventory-weekly': { report: 'inventory', cadence: 'weekly', label: 'Inventory snapshot, every week (Mondays, UTC)' },
  'inventory-monthly': { report: 'inventory', cadence: 'monthly', label: 'Inventory snapshot, every month (the 1st, UTC)' },
  'evidence-on-close': { report: 'campaign-evidence', cadence: 'campaign-closed', label: 'Campaign evidence pack, when a campaign closes' },
} as const
export type ScheduledReportKind = keyof typeof SCHEDULED_REPORTS
export const SCHEDULE_KINDS = Object.keys(SCHEDULED_REPORTS) as [ScheduledReportKind, ...ScheduledReportKind[]]

/** Most people one schedule e-mails: a report goes to a few named people, not to everyone. */
export const MAX_RECIPIENTS = 20

export const createReportScheduleSchema = z.object({
  orgSlug: z.string(),
  kind: z.enum(SCHEDULE_KINDS, { error: 'Choose which report to send.' }),
  recipientIds: z
    .array(z.string().min(1).max(64))
    .min(1, 'Choose at least one person to e-mail.')
    .max(MAX_RECIPIENTS, `At most ${MAX_RECIPIENTS} people per schedule.`)
    .transform((ids) => [...new Set(ids)]),
})
export type CreateReportScheduleInput = z.infer<typeof createReportScheduleSchema>

export const deleteReportScheduleSchema = z.object({ orgSlug: z.string(), scheduleId: z.string().min(1).max(64) })

/** The schedule's kind from its stored report and cadence (null for a row this version does not know). */
export function kindOf(row: { report: string; cadence: string }): ScheduledReportKind | null {
  for (const [k, v] of Object.entries(SCHEDULED_REPORTS)) if (v.report === row.report && v.cadence === row.cadence) return k as ScheduledReportKind
  return null
}
