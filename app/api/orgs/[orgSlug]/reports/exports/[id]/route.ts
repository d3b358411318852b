import { downloadExport } from '@/lib/reports/exports'
import { exportIdParams } from '@/lib/reports/schemas'
import { downloadResponse, orgRoute } from '@/lib/route'

/** A finished background export's file (another organization's id, or an unfinished export, is not found). */
export const GET = orgRoute({
  name: 'reports.exports.download',
  params: exportIdParams,
  permission: 'report:export',
  run: async ({ ctx, params }) => downloadResponse(await downloadExport(ctx, params.id)),
})
