import 'server-only'
import { PermanentJobError, registerJobHandler, registerScheduler } from '@/lib/jobs/legacy'
import { campaignScheduler, runClose, sendReminders } from './close'
import { runLaunch } from './launch'

// A job acts only inside its own organization: the campaign is looked up by (orgId, id), never by id alone.
const target = (job: { orgId: string | null }, payload: Record<string, unknown>) => {
  if (typeof payload.campaignId !== 'string') throw new PermanentJobError('payload needs a campaignId')
  if (!job.orgId) throw new PermanentJobError('campaign jobs need an organization')
  return { orgId: job.orgId, campaignId: payload.campaignId }
}

registerJobHandler('launch_campaign', ({ job, payload, progress }) => runLaunch(target(job, payload), progress))
registerJobHandler('close_campaign', ({ job, payload, progress }) => runClose(target(job, payload), Number(payload.stage ?? 1), progress))
registerJobHandler('campaign_reminders', ({ job, payload }) => sendReminders(target(job, payload), String(payload.reason ?? 'scheduled')))
registerScheduler('campaigns', campaignScheduler)
