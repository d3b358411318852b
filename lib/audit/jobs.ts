import 'server-only'
import { z } from 'zod'
import { createCheckpoint } from '@/lib/audit/checkpoints'
import { db } from '@/lib/db'
import { defineJob, defineScheduler } from '@/lib/jobs/define'
import { enqueueJob } from '@/lib/jobs/queue'

const day = z.string().regex(/^\d{4}-\d{2}-\d{2}$/)

/** Signs the organization's chain head (skipped when nothing was recorded since the last checkpoint). */
export const auditCheckpointJob = defineJob({
  type: 'audit_checkpoint',
  lane: 'background',
  payload: z.object({ day }),
  key: (p, { orgId }) => `audit_checkpoint:${orgId}:${p.day}`,
  maxAttempts: 3,
  permissions: ['audit:checkpoint'],
  run: async ({ ctx }) => {
    const cp = await createCheckpoint(ctx, { onlyIfChanged: true })
    return cp ? { checkpoint: cp.id, seq: cp.seq } : { skipped: 'no new events' }
  },
})

const DAY = 86_400_000

/**
 * About once a day per organization that records events: when its newest checkpoint (or, before the first one, the
 * organization itself) is more than a day old. The key names the UTC day, so several workers queue one job; admins
 * sign one at any time from the audit page.
 */
export const auditCheckpointScheduler = defineScheduler({
  name: 'audit-checkpoints-daily',
  run: async (now) => {
    const d = now.toISOString().slice(0, 10)
    const dayAgo = new Date(now.getTime() - DAY)
    const orgs = await db.organization.findMany({ where: { auditSeq: { gt: 0 }, createdAt: { lt: dayAgo } }, select: { id: true } })
    for (const org of orgs) {
      const last = await db.auditCheckpoint.findFirst({ where: { orgId: org.id }, orderBy: { createdAt: 'desc' }, select: { createdAt: true } })
      if (last && last.createdAt >= dayAgo) continue
      await db.$transaction((tx) => enqueueJob(tx, auditCheckpointJob, { day: d }, { orgId: org.id }))
    }
  },
})
