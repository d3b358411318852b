import { downloadAccess, downloadResponse } from '@/lib/reports/downloads'
import { orgParams, orgRoute } from '@/lib/route'

export const runtime = 'nodejs'
export const dynamic = 'force-dynamic'

/** Every active grant (CSV), streamed. */
export const GET = orgRoute({
  name: 'reports.access',
  params: orgParams,
  permission: 'report:export',
  run: async ({ ctx }) => downloadResponse(await downloadAccess(ctx)),
})
