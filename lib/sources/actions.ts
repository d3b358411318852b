'use server'
import { revalidatePath } from 'next/cache'
import { orgAction } from '@/lib/action'
import { getSourceJob } from '@/lib/sources/queries'
import { createImportSource, requestSync, startImport, updateSchedule, updateSourceEnvironment } from '@/lib/sources/mutations'
import { createImportSourceSchema, requestSyncSchema, startImportSchema, updateScheduleSchema, updateSourceEnvironmentSchema } from '@/lib/sources/schemas'
import { z } from 'zod'

export const createImportSourceAction = orgAction({
  schema: createImportSourceSchema,
  permission: 'source:manage',
  run: async ({ ctx, input }) => {
    const s = await createImportSource(ctx, input)
    revalidatePath(`/${ctx.org.slug}/sources`)
    return s
  },
})

export const requestSyncAction = orgAction({
  schema: requestSyncSchema,
  permission: 'source:manage',
  run: async ({ ctx, input }) => {
    const job = await requestSync(ctx, input)
    revalidatePath(`/${ctx.org.slug}/sources`)
    return { jobId: job.id }
  },
})

export const updateScheduleAction = orgAction({
  schema: updateScheduleSchema,
  permission: 'source:manage',
  run: async ({ ctx, input }) => {
    await updateSchedule(ctx, input)
    revalidatePath(`/${ctx.org.slug}/sources`)
    return null
  },
})

export const updateSourceEnvironmentAction = orgAction({
  schema: updateSourceEnvironmentSchema,
  permission: 'source:manage',
  run: async ({ ctx, input }) => {
    const result = await updateSourceEnvironment(ctx, input)
    revalidatePath(`/${ctx.org.slug}/sources`)
    revalidatePath(`/${ctx.org.slug}/identities`)
    return result
  },
})

export const startImportAction = orgAction({
  schema: startImportSchema,
  permission: 'source:manage',
  run: async ({ ctx, input }) => {
    const job = await startImport(ctx, input)
    return { jobId: job.id }
  },
})

export const importJobStatusAction = orgAction({
  schema: z.object({ orgSlug: z.string().min(1).max(64), jobId: z.string().min(1).max(64) }),
  permission: 'source:read',
  run: async ({ ctx, input }) => getSourceJob(ctx, input.jobId),
})
