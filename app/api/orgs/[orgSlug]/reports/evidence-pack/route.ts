import { downloadEvidencePack, downloadResponse } from '@/lib/reports/downloads'
import { packQuerySchema } from '@/lib/reports/schemas'
import { orgParams, orgRoute } from '@/lib/route'

export const runtime = 'nodejs'
export const dynamic = 'force-dynamic'

/** A campaign's signed evidence pack (ZIP). */
export const GET = orgRoute({
  name: 'reports.evidence-pack',
  params: orgParams,
  query: packQuerySchema,
  permission: 'report:export',
  run: async ({ ctx, query }) => downloadResponse(await downloadEvidencePack(ctx, query.campaign, { from: query.from, to: query.to })),
})
