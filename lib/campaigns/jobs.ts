import 'server-only'
import { PermanentJobError, registerJobHandler, registerScheduler } from '@/lib/jobs/registry'
import { campaignScheduler, runClose, sendReminders } from './close'
import { runLaunch } from './launch'

const campaignIdOf = (payload: Record<string, unknown>) => {
  if (typeof payload.campaignId !== 'string') throw new PermanentJobError('payload needs a campaignId')
  return payload.campaignId
}

registerJobHandler('launch_campaign', ({ payload, progress }) => runLaunch(campaignIdOf(payload), progress))
registerJobHandler('close_campaign', ({ payload, progress }) => runClose(campaignIdOf(payload), Number(payload.stage ?? 1), progress))
registerJobHandler('campaign_reminders', ({ payload }) => sendReminders(campaignIdOf(payload), String(payload.reason ?? 'scheduled')))
registerScheduler('campaigns', campaignScheduler)
