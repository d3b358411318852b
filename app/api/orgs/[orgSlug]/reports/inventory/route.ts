import { downloadInventory, downloadResponse } from '@/lib/reports/downloads'
import { orgParams, orgRoute } from '@/lib/route'

export const runtime = 'nodejs'
export const dynamic = 'force-dynamic'

/** The inventory as it is now (CSV), streamed. */
export const GET = orgRoute({
  name: 'reports.inventory',
  params: orgParams,
  permission: 'report:export',
  run: async ({ ctx }) => downloadResponse(await downloadInventory(ctx)),
})
