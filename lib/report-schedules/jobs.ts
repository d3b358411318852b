import 'server-only'
import { stringsOf } from '@/lib/json'
import { z } from 'zod'
import { recordAudit } from '@/lib/audit/record'
import { db, type Tx } from '@/lib/db'
import { defineJob, defineScheduler, recordId } from '@/lib/jobs/define'
import { enqueueJob, enqueueJobNow } from '@/lib/jobs/queue'
import { notify } from '@/lib/notifications/notify'
import { eligibleRecipients } from '@/lib/report-schedules/queries'
import { exportDownloadPath, inventoryReportPath, periodOf } from '@/lib/report-schedules/links'
import { EXPORT_DAYS } from '@/lib/reports/export-files'
import { prepareExport } from '@/lib/reports/exports'
import { kindOf, SCHEDULED_REPORTS } from '@/lib/report-schedules/schemas'

const DAY = 86_400_000

/** How often a schedule checks whether the evidence pack it asked the worker for is ready, and for how long. */
const PACK_CHECK_MS = 20_000
const PACK_CHECKS = 180

/**
 * Sends one period's report of a schedule: an inbox notification for each recipient, e-mailed by the durable
 * send_email job with the link to the download (which checks the session and report:export, and audits the download).
 * The recipients are read again now, so someone who left or lost the role since is not sent it.
 *
 * A campaign's evidence pack is made first, as a background export in the reports lane (a minute or more at a million
 * identities: never in the web process when someone clicks the link): this job queues it, then checks every
 * PACK_CHECK_MS (a follow-up job each time) and sends the link to the finished file once it is ready — or, if it
 * failed, says so and where to start it again.
 */
export const sendScheduledReportJob = defineJob({
  type: 'send_scheduled_report',
  lane: 'background',
  payload: z.object({
    scheduleId: recordId,
    period: z.string().min(1).max(80),
    campaignId: recordId.optional(),
    /** the evidence pack being made for this send, and how many times it was found not ready yet */
    exportId: recordId.optional(),
    check: z.number().int().min(0).max(PACK_CHECKS).optional(),
  }),
  key: (p) => `send_scheduled_report:${p.scheduleId}:${p.period}${p.exportId ? `:${p.exportId}:${p.check ?? 0}` : ''}`,
  maxAttempts: 5,
  permissions: ['report:export', 'audit:read'],
  run: async ({ ctx, payload }) => {
    const schedule = await db.reportSchedule.findFirst({ where: { id: payload.scheduleId, orgId: ctx.org.id } })
    const kind = schedule && kindOf(schedule)
    if (!schedule || !kind) return { skipped: 'schedule deleted' }
    const recipients = await eligibleRecipients(ctx.org.id, stringsOf(schedule.recipients))
    if (recipients.length === 0) return { skipped: 'no recipient can receive reports' }
    let title: string
    let body: string
    let link: string
    let campaign: { id: string; name: string } | null = null
    let exportId: string | null = null
    if (schedule.report === 'campaign-evidence') {
      campaign = payload.campaignId
        ? await db.campaign.findFirst({ where: { id: payload.campaignId, orgId: ctx.org.id, status: 'closed' }, select: { id: true, name: true } })
        : null
      if (!campaign) return { skipped: 'campaign not found or not closed' }
      if (!payload.exportId) {
        const next = (tx: Tx, id: string) =>
          enqueueJob(
            tx,
            sendScheduledReportJob,
            { ...payload, exportId: id, check: 0 },
            { orgId: ctx.org.id, runAt: new Date(Date.now() + PACK_CHECK_MS) },
          ).then(() => undefined)
        const pack = await prepareExport(
          ctx,
          { kind: 'evidence-pack', campaign: campaign.id },
          { requestedById: schedule.createdById ?? recipients[0].id, inTransaction: next },
        )
        return { preparing: pack.id }
      }
      const pack = await db.reportExport.findFirst({ where: { id: payload.exportId, orgId: ctx.org.id }, select: { id: true, status: true } })
      const check = payload.check ?? 0
      if (pack && (pack.status === 'queued' || pack.status === 'running')) {
        if (check >= PACK_CHECKS) return { skipped: `the evidence pack was still ${pack.status} after ${PACK_CHECKS} checks` }
        await enqueueJobNow(sendScheduledReportJob, { ...payload, check: check + 1 }, { orgId: ctx.org.id, runAt: new Date(Date.now() + PACK_CHECK_MS) })
        return { waiting: pack.id, check }
      }
      if (pack?.status === 'ready') {
        exportId = pack.id
        title = `Evidence pack: ${campaign.name}`
        body = `The review campaign “${campaign.name}” closed. Its signed evidence pack (decisions, completeness, exceptions, manifest) is ready to download for ${EXPORT_DAYS} days.`
        link = exportDownloadPath(ctx.org.slug, pack.id)
      } else {
        title = `Evidence pack not made: ${campaign.name}`
        body = `The review campaign “${campaign.name}” closed, but its evidence pack could not be made. Prepare it again from Reports.`
        link = `/${ctx.org.slug}/reports`
      }
    } else {
      title = `Inventory snapshot (${schedule.cadence === 'weekly' ? 'weekly' : 'monthly'}, ${payload.period})`
      body = 'The scheduled inventory snapshot is ready: every identity with its owner, credentials, usage and open findings, as of the moment you download it.'
      link = inventoryReportPath(ctx.org.slug)
    }
    await db.$transaction(async (tx) => {
      await notify(
        tx,
        recipients.map((r) => ({ orgId: ctx.org.id, userId: r.id, kind: 'report.scheduled', title, body, link })),
      )
      await tx.reportSchedule.update({ where: { id: schedule.id, orgId: ctx.org.id }, data: { lastSentAt: new Date() } })
      await recordAudit(tx, ctx, {
        action: 'report-schedule.send',
        targetType: 'report-schedule',
        targetId: schedule.id,
        targetLabel: SCHEDULED_REPORTS[kind].label,
        details: {
          report: schedule.report,
          period: payload.period,
          ...(campaign ? { campaign } : {}),
          ...(exportId ? { exportId } : {}),
          link,
          recipients: recipients.map((r) => ({ id: r.id, name: r.name })),
        },
      })
    })
    return { sent: recipients.length, link }
  },
})

/**
 * Every minute: queues each weekly or monthly schedule's report once per UTC week or month (the first period that
 * begins after the schedule was made), and each evidence schedule's pack once per campaign closed since it was made
 * (looking back a week). The job keys name the period or the campaign, so several workers queue one of each.
 */
export const reportSchedulesScheduler = defineScheduler({
  name: 'report-schedules',
  run: async (now) => {
    const schedules = await db.reportSchedule.findMany({ select: { id: true, orgId: true, cadence: true, createdAt: true } })
    for (const s of schedules) {
      if (s.cadence === 'weekly' || s.cadence === 'monthly') {
        const { period, start } = periodOf(s.cadence, now)
        if (start < s.createdAt) continue
        await db.$transaction((tx) => enqueueJob(tx, sendScheduledReportJob, { scheduleId: s.id, period }, { orgId: s.orgId }))
      } else if (s.cadence === 'campaign-closed') {
        const since = new Date(Math.max(s.createdAt.getTime(), now.getTime() - 7 * DAY))
        const closed = await db.campaign.findMany({ where: { orgId: s.orgId, status: 'closed', closedAt: { gte: since } }, select: { id: true }, take: 100 })
        for (const c of closed) {
          await db.$transaction((tx) =>
            enqueueJob(tx, sendScheduledReportJob, { scheduleId: s.id, period: `campaign-${c.id}`, campaignId: c.id }, { orgId: s.orgId }),
          )
        }
      }
    }
  },
})
