import 'server-only'
import { z } from 'zod'
import { defineJob, recordId } from '@/lib/jobs/define'
import { runClose } from './close'
import { runLaunch } from './launch'
import { sendReminders } from './reminders'

// A job acts only inside its own organization: the campaign is looked up by (organization, id), never by id alone.

export const launchCampaignJob = defineJob({
  type: 'launch_campaign',
  payload: z.object({ campaignId: recordId }),
  key: (p) => `launch_campaign:${p.campaignId}`,
  maxAttempts: 3,
  run: ({ ctx, payload, progress }) => runLaunch(ctx, payload.campaignId, progress),
})

export const closeCampaignJob = defineJob({
  type: 'close_campaign',
  payload: z.object({ campaignId: recordId, stage: z.number().int().min(1).max(2).default(1) }),
  key: (p) => `close_campaign:${p.campaignId}:${p.stage}`,
  run: ({ ctx, payload, progress }) => runClose(ctx, payload.campaignId, payload.stage, progress),
})

export const campaignRemindersJob = defineJob({
  type: 'campaign_reminders',
  lane: 'background',
  // `daysBefore`: the reminder that many days before the stage is due, sent once; without it, a reminder asked for
  // by hand, at most one an hour
  payload: z.object({
    campaignId: recordId,
    reason: z.string().max(200).default('scheduled'),
    stage: z.number().int().min(1).max(2).default(1),
    daysBefore: z.number().int().min(0).max(365).optional(),
  }),
  key: (p) =>
    `campaign_reminders:${p.campaignId}:${p.daysBefore !== undefined ? `${p.stage}:${p.daysBefore}` : `manual:${new Date().toISOString().slice(0, 13)}`}`,
  run: ({ ctx, payload }) => sendReminders(ctx, payload.campaignId, payload.reason),
})
