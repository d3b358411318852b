import 'server-only'
import { recordAudit } from '@/lib/audit/record'
import { db } from '@/lib/db'
import { defineScheduler, schedulerContext } from '@/lib/jobs/define'
import { enqueueJob } from '@/lib/jobs/queue'
import { campaignRemindersJob, closeCampaignJob, launchCampaignJob } from './jobs'
import { escalateOverdue } from './reminders'

const DAY = 86_400_000

/**
 * Runs every minute from each worker: launches scheduled campaigns, queues due reminders, escalates overdue
 * items and closes campaigns at their close date. Everything is keyed, so several workers never double up.
 */
async function run(now: Date) {
  const t = now.getTime()
  const scheduled = await db.campaign.findMany({ where: { status: 'scheduled', startAt: { lte: now } }, select: { id: true, orgId: true, itemCount: true } })
  for (const c of scheduled) {
    await db.$transaction(async (tx) => {
      const moved = await tx.campaign.updateMany({ where: { id: c.id, orgId: c.orgId, status: 'scheduled' }, data: { status: 'launching' } })
      if (moved.count) await enqueueJob(tx, launchCampaignJob, { campaignId: c.id }, { orgId: c.orgId })
    })
  }
  const active = await db.campaign.findMany({
    where: { status: 'active', dueAt: { not: null } },
    select: {
      id: true,
      orgId: true,
      dueAt: true,
      reminders: true,
      graceDays: true,
      currentStage: true,
      itemCount: true,
      org: { select: { id: true, slug: true, name: true } },
    },
  })
  for (const c of active) {
    const due = c.dueAt!.getTime()
    if (t < due) {
      let days: number[] = []
      try {
        days = JSON.parse(c.reminders)
      } catch {}
      const hit = days.filter((d) => t >= due - d * DAY).sort((a, b) => a - b)[0]
      if (hit !== undefined) {
        await db.$transaction((tx) =>
          enqueueJob(
            tx,
            campaignRemindersJob,
            { campaignId: c.id, reason: `${hit} days before due`, stage: c.currentStage, daysBefore: hit },
            { orgId: c.orgId },
          ),
        )
      }
      continue
    }
    if (c.graceDays > 0 && t < due + c.graceDays * DAY) {
      await escalateOverdue(schedulerContext(campaignsScheduler, c.org), c.id)
      continue
    }
    await db.$transaction(async (tx) => {
      const moved = await tx.campaign.updateMany({ where: { id: c.id, orgId: c.orgId, status: 'active' }, data: { status: 'closing' } })
      if (!moved.count) return
      await enqueueJob(tx, closeCampaignJob, { campaignId: c.id, stage: c.currentStage }, { orgId: c.orgId, total: c.itemCount })
      await recordAudit(tx, schedulerContext(campaignsScheduler, c.org), {
        action: 'campaign.close',
        targetType: 'campaign',
        targetId: c.id,
        details: { stage: c.currentStage, reason: 'due date reached' },
      })
    })
  }
}

export const campaignsScheduler = defineScheduler({ name: 'campaigns', run })
