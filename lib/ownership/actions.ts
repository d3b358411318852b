'use server'
import { revalidatePath } from 'next/cache'
import { orgAction } from '@/lib/action'
import {
  acceptSuggestion,
  assignOwner,
  attestIdentity,
  cancelTransfer,
  decideTransfer,
  getBulkJob,
  previewAssignByFilter,
  requestTransfer,
  startAcceptSuggestionsByFilter,
  startBulkAssignByFilter,
} from '@/lib/ownership/mutations'
import {
  acceptSuggestionSchema,
  acceptSuggestionsByFilterSchema,
  assignOwnerSchema,
  attestSchema,
  bulkAssignByFilterSchema,
  cancelTransferSchema,
  decideTransferSchema,
  jobStatusSchema,
  previewByFilterSchema,
  requestTransferSchema,
} from '@/lib/ownership/schemas'

// Owners show on many pages (inventory, identity, My identities, dashboard): the whole organization re-renders.
const assign = { permission: 'identity:assign-owner', revalidate: '' } as const
const transfer = { permission: 'identity:transfer', revalidate: '' } as const
// Previews and by-filter jobs change nothing yet: the pages re-render when the job is done (bulkJobStatusAction).
const assignLater = { ...assign, revalidate: [] as string[] }

export const assignOwnerAction = orgAction({ ...assign, schema: assignOwnerSchema, run: ({ ctx, input }) => assignOwner(ctx, input) })

export const previewAssignByFilterAction = orgAction({
  ...assignLater,
  schema: previewByFilterSchema,
  run: ({ ctx, input }) => previewAssignByFilter(ctx, input.filter, input.fields),
})

export const bulkAssignByFilterAction = orgAction({
  ...assignLater,
  schema: bulkAssignByFilterSchema,
  run: ({ ctx, input }) => startBulkAssignByFilter(ctx, input),
})

export const acceptSuggestionsByFilterAction = orgAction({
  ...assignLater,
  schema: acceptSuggestionsByFilterSchema,
  run: ({ ctx, input }) => startAcceptSuggestionsByFilter(ctx, input),
})

export const bulkJobStatusAction = orgAction({
  ...assignLater,
  schema: jobStatusSchema,
  run: async ({ ctx, input }) => {
    const job = await getBulkJob(ctx, input.jobId)
    // Polled until the job is done; only then has anything changed.
    if (job.status === 'succeeded') revalidatePath(`/${ctx.org.slug}`, 'layout')
    return job
  },
})

export const acceptSuggestionAction = orgAction({ ...assign, schema: acceptSuggestionSchema, run: ({ ctx, input }) => acceptSuggestion(ctx, input) })

export const requestTransferAction = orgAction({ ...transfer, schema: requestTransferSchema, run: ({ ctx, input }) => requestTransfer(ctx, input) })

export const decideTransferAction = orgAction({ ...transfer, schema: decideTransferSchema, run: ({ ctx, input }) => decideTransfer(ctx, input) })

export const cancelTransferAction = orgAction({ ...transfer, schema: cancelTransferSchema, run: ({ ctx, input }) => cancelTransfer(ctx, input) })

export const attestAction = orgAction({
  schema: attestSchema,
  permission: 'identity:attest',
  revalidate: '',
  run: ({ ctx, input }) => attestIdentity(ctx, input).then((r) => ({ attestationId: r.attestationId, nextDueAt: r.nextDueAt.toISOString() })),
})
