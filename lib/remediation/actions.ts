'use server'
import { orgAction } from '@/lib/action'
import { retryJob } from '@/lib/remediation/job-admin'
import { markRemediationDone, requestBulkRemediation, requestRemediation } from '@/lib/remediation/mutations'
import { getIdentityRemediations, previewBulkRemediation } from '@/lib/remediation/queries'
import { bulkRemediationSchema, jobIdSchema, markDoneSchema, previewSchema, requestRemediationSchema } from '@/lib/remediation/schemas'
import { z } from 'zod'

export const requestRemediationAction = orgAction({
  schema: requestRemediationSchema,
  permission: 'identity:remediate',
  revalidate: (input) => `/identities/${input.target.identityId}`,
  run: async ({ ctx, input }) => {
    const r = await requestRemediation(ctx, { ...input.target, justification: input.justification })
    return { remediationId: r.remediation.id, created: r.created }
  },
})

export const requestBulkRemediationAction = orgAction({
  schema: bulkRemediationSchema,
  permission: 'identity:remediate',
  revalidate: (input) => `/identities/${input.identityId}`,
  run: async ({ ctx, input }) => {
    const r = await requestBulkRemediation(ctx, input)
    return { created: r.created.length, existing: r.existing.length, skipped: r.skipped.map((s) => s.reason) }
  },
})

export const previewRemediationAction = orgAction({
  schema: previewSchema,
  permission: 'identity:remediate',
  run: ({ ctx, input }) => previewBulkRemediation(ctx, input),
})

/** Polled by the identity page while a remediation runs. */
export const remediationStatusAction = orgAction({
  schema: z.object({ orgSlug: z.string(), identityId: z.string().regex(/^[A-Za-z0-9_-]{1,40}$/) }),
  permission: 'identity:read',
  run: async ({ ctx, input }) => {
    const r = await getIdentityRemediations(ctx, input.identityId)
    return {
      active: r.active,
      statuses: r.list
        .slice(0, 50)
        .map((x) => `${x.id}:${x.status}:${x.job?.status ?? ''}:${x.job?.attempts ?? 0}`)
        .join('|'),
    }
  },
})

export const markRemediationDoneAction = orgAction({
  schema: markDoneSchema,
  permission: 'identity:remediate',
  revalidate: '/jobs',
  run: ({ ctx, input }) => markRemediationDone(ctx, input),
})

export const retryJobAction = orgAction({
  schema: jobIdSchema,
  permission: 'job:manage',
  revalidate: '/jobs',
  run: ({ ctx, input }) => retryJob(ctx, input.jobId),
})
