import 'server-only'
import { apiStateCleanupScheduler } from '@/lib/api/jobs'
import { tokenInventoryBackfillJob, tokenInventoryBackfillScheduler } from '@/lib/api-tokens/backfill'
import { auditCheckpointJob, auditCheckpointScheduler } from '@/lib/audit/jobs'
import { campaignRemindersJob, closeCampaignJob, launchCampaignJob } from '@/lib/campaigns/jobs'
import { campaignsScheduler } from '@/lib/campaigns/scheduler'
import { findingsDailyScheduler, metricsSnapshotJob, recomputeFindingsJob } from '@/lib/findings/jobs'
import { gatewayGrantsScheduler, gatewayUseScheduler, learnGatewayUseJob, syncGatewayGrantsJob } from '@/lib/gateway/jobs'
import { gatewayRetentionScheduler, pruneGatewayRecordsJob } from '@/lib/gateway/retention'
import { jobRegistry, type AnyJob, type SchedulerDefinition } from '@/lib/jobs/define'
import { endLeaseJob, leaseExpiryScheduler } from '@/lib/leases/jobs'
import { sendInvitationJob } from '@/lib/members/jobs'
import { sendEmailJob } from '@/lib/notifications/jobs'
import { reportSchedulesScheduler, sendScheduledReportJob } from '@/lib/report-schedules/jobs'
import { reportExportJob, reportExportsCleanupScheduler } from '@/lib/reports/jobs'
import { refreshStatisticsJob, statisticsDailyScheduler } from '@/lib/jobs/statistics'
import { bulkAssignJob, offboardMemberJob } from '@/lib/ownership/jobs'
import { deleteIdentityJob, REMEDIATION_JOBS } from '@/lib/remediation/jobs'
import { deliverWebhookJob, webhookDeliveriesCleanupScheduler } from '@/lib/webhooks/jobs'
import { importFileJob, previewImportJob, sourceSyncScheduler, syncSourceJob, uploadsCleanupScheduler } from '@/lib/sources/jobs'

// Every job type and every scheduler, listed once: the worker runs from these (no registration by import).

export const JOBS = jobRegistry([
  launchCampaignJob,
  closeCampaignJob,
  campaignRemindersJob,
  sendEmailJob,
  sendInvitationJob,
  recomputeFindingsJob,
  metricsSnapshotJob,
  ...Object.values(REMEDIATION_JOBS),
  deleteIdentityJob,
  bulkAssignJob,
  offboardMemberJob,
  syncSourceJob,
  previewImportJob,
  importFileJob,
  auditCheckpointJob,
  sendScheduledReportJob,
  refreshStatisticsJob,
  reportExportJob,
  syncGatewayGrantsJob,
  learnGatewayUseJob,
  pruneGatewayRecordsJob,
  deliverWebhookJob,
  endLeaseJob,
  tokenInventoryBackfillJob,
])

export type JobType = keyof typeof JOBS
/** What the worker looks job types up in (tests pass their own definitions). */
export type JobLookup = Readonly<Record<string, AnyJob | undefined>>

export const SCHEDULERS: readonly SchedulerDefinition[] = [
  campaignsScheduler,
  findingsDailyScheduler,
  sourceSyncScheduler,
  uploadsCleanupScheduler,
  auditCheckpointScheduler,
  reportSchedulesScheduler,
  statisticsDailyScheduler,
  reportExportsCleanupScheduler,
  apiStateCleanupScheduler,
  gatewayGrantsScheduler,
  gatewayUseScheduler,
  gatewayRetentionScheduler,
  webhookDeliveriesCleanupScheduler,
  leaseExpiryScheduler,
  tokenInventoryBackfillScheduler,
]
