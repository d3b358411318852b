'use server'
import { orgAction } from '@/lib/action'
import { createReportSchedule, deleteReportSchedule } from '@/lib/report-schedules/mutations'
import { createReportScheduleSchema, deleteReportScheduleSchema } from '@/lib/report-schedules/schemas'

export const createReportScheduleAction = orgAction({
  schema: createReportScheduleSchema,
  permission: 'settings:manage',
  revalidate: '/settings/reports',
  run: async ({ ctx, input }) => createReportSchedule(ctx, input),
})

export const deleteReportScheduleAction = orgAction({
  schema: deleteReportScheduleSchema,
  permission: 'settings:manage',
  revalidate: '/settings/reports',
  run: async ({ ctx, input }) => deleteReportSchedule(ctx, input),
})
