'use server'
import { orgAction } from '@/lib/action'
import { startExport } from '@/lib/reports/exports'
import { startExportSchema } from '@/lib/reports/schemas'

/** Exports are reads: anyone who may download reports (auditors too) may have one written in the background. */
export const startExportAction = orgAction({
  schema: startExportSchema,
  permission: 'report:export',
  revalidate: '/reports',
  run: async ({ ctx, input }) => startExport(ctx, input.params),
})
