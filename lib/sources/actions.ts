'use server'
import { orgAction } from '@/lib/action'
import { getSourceJob } from '@/lib/sources/queries'
import { createImportSource, requestSync, startImport, updateSchedule, updateSourceEnvironment } from '@/lib/sources/mutations'
import { createImportSourceSchema, requestSyncSchema, startImportSchema, updateScheduleSchema, updateSourceEnvironmentSchema } from '@/lib/sources/schemas'
import { z } from 'zod'

const manage = { permission: 'source:manage', revalidate: '/sources' } as const

export const createImportSourceAction = orgAction({ ...manage, schema: createImportSourceSchema, run: ({ ctx, input }) => createImportSource(ctx, input) })

export const requestSyncAction = orgAction({
  ...manage,
  schema: requestSyncSchema,
  run: async ({ ctx, input }) => ({ jobId: (await requestSync(ctx, input)).id }),
})

export const updateScheduleAction = orgAction({
  ...manage,
  schema: updateScheduleSchema,
  run: async ({ ctx, input }) => {
    await updateSchedule(ctx, input)
    return null
  },
})

// Saving labels the source's identities still "unknown": the inventory re-renders too.
export const updateSourceEnvironmentAction = orgAction({
  ...manage,
  revalidate: ['/sources', '/identities'],
  schema: updateSourceEnvironmentSchema,
  run: ({ ctx, input }) => updateSourceEnvironment(ctx, input),
})

export const startImportAction = orgAction({
  ...manage,
  revalidate: [],
  schema: startImportSchema,
  run: async ({ ctx, input }) => ({ jobId: (await startImport(ctx, input)).id }),
})

export const importJobStatusAction = orgAction({
  schema: z.object({ orgSlug: z.string().min(1).max(64), jobId: z.string().min(1).max(64) }),
  permission: 'source:read',
  run: ({ ctx, input }) => getSourceJob(ctx, input.jobId),
})
