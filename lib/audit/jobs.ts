import 'server-only'
import { z } from 'zod'
import { createCheckpoint } from '@/lib/audit/checkpoints'
import { db } from '@/lib/db'
import { defineJob, defineScheduler } from '@/lib/jobs/define'
import { enqueueJob } from '@/lib/jobs/queue'

const hour = z.string().regex(/^\d{4}-\d{2}-\d{2}T\d{2}$/)

/** Signs the organization's chain head (skipped when nothing was recorded since the last checkpoint). */
export const auditCheckpointJob = defineJob({
  type: 'audit_checkpoint',
  payload: z.object({ hour }),
  key: (p, { orgId }) => `audit_checkpoint:${orgId}:${p.hour}`,
  maxAttempts: 3,
  permissions: ['audit:checkpoint'],
  run: async ({ ctx }) => {
    const cp = await createCheckpoint(ctx, { onlyIfChanged: true })
    return cp ? { checkpoint: cp.id, seq: cp.seq } : { skipped: 'no new events' }
  },
})

/** Once an hour per organization with events: the key names the UTC hour, so several workers queue one job. */
export const auditCheckpointScheduler = defineScheduler({
  name: 'audit-checkpoints-hourly',
  run: async (now) => {
    const h = now.toISOString().slice(0, 13)
    const orgs = await db.organization.findMany({ where: { auditSeq: { gt: 0 } }, select: { id: true } })
    for (const org of orgs) await db.$transaction((tx) => enqueueJob(tx, auditCheckpointJob, { hour: h }, { orgId: org.id }))
  },
})
