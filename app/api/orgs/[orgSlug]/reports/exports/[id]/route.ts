import { downloadExport } from '@/lib/reports/exports'
import { exportIdParams } from '@/lib/reports/schemas'
import { downloadResponse, orgRoute } from '@/lib/route'

// Next reads runtime and dynamic only as literal exports of each route file: these lines repeat by design.
export const runtime = 'nodejs'
export const dynamic = 'force-dynamic'

/** A finished background export's file (another organization's id, or an unfinished export, is not found). */
export const GET = orgRoute({
  name: 'reports.exports.download',
  params: exportIdParams,
  permission: 'report:export',
  run: async ({ ctx, params }) => downloadResponse(await downloadExport(ctx, params.id)),
})
