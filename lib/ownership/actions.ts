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

const refresh = (slug: string) => revalidatePath(`/${slug}`, 'layout')

export const assignOwnerAction = orgAction({
  schema: assignOwnerSchema,
  permission: 'identity:assign-owner',
  run: async ({ ctx, input }) => {
    const r = await assignOwner(ctx, input)
    refresh(ctx.org.slug)
    return r
  },
})

export const previewAssignByFilterAction = orgAction({
  schema: previewByFilterSchema,
  permission: 'identity:assign-owner',
  run: ({ ctx, input }) => previewAssignByFilter(ctx, input.filter, input.fields),
})

export const bulkAssignByFilterAction = orgAction({
  schema: bulkAssignByFilterSchema,
  permission: 'identity:assign-owner',
  run: ({ ctx, input }) => startBulkAssignByFilter(ctx, input),
})

export const acceptSuggestionsByFilterAction = orgAction({
  schema: acceptSuggestionsByFilterSchema,
  permission: 'identity:assign-owner',
  run: ({ ctx, input }) => startAcceptSuggestionsByFilter(ctx, input),
})

export const bulkJobStatusAction = orgAction({
  schema: jobStatusSchema,
  permission: 'identity:assign-owner',
  run: async ({ ctx, input }) => {
    const job = await getBulkJob(ctx, input.jobId)
    if (job.status === 'succeeded') refresh(ctx.org.slug)
    return job
  },
})

export const acceptSuggestionAction = orgAction({
  schema: acceptSuggestionSchema,
  permission: 'identity:assign-owner',
  run: async ({ ctx, input }) => {
    const r = await acceptSuggestion(ctx, input)
    refresh(ctx.org.slug)
    return r
  },
})

export const requestTransferAction = orgAction({
  schema: requestTransferSchema,
  permission: 'identity:transfer',
  run: async ({ ctx, input }) => {
    const r = await requestTransfer(ctx, input)
    refresh(ctx.org.slug)
    return r
  },
})

export const decideTransferAction = orgAction({
  schema: decideTransferSchema,
  permission: 'identity:transfer',
  run: async ({ ctx, input }) => {
    const r = await decideTransfer(ctx, input)
    refresh(ctx.org.slug)
    return r
  },
})

export const cancelTransferAction = orgAction({
  schema: cancelTransferSchema,
  permission: 'identity:transfer',
  run: async ({ ctx, input }) => {
    const r = await cancelTransfer(ctx, input)
    refresh(ctx.org.slug)
    return r
  },
})

export const attestAction = orgAction({
  schema: attestSchema,
  permission: 'identity:attest',
  run: async ({ ctx, input }) => {
    const r = await attestIdentity(ctx, input)
    refresh(ctx.org.slug)
    return { attestationId: r.attestationId, nextDueAt: r.nextDueAt.toISOString() }
  },
})
