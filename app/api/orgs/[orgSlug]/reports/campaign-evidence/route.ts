import { downloadCampaignEvidence, downloadResponse } from '@/lib/reports/downloads'
import { evidenceQuerySchema } from '@/lib/reports/schemas'
import { orgParams, orgRoute } from '@/lib/route'

export const runtime = 'nodejs'
export const dynamic = 'force-dynamic'

/** A campaign's evidence as CSV (streamed) or PDF (rendered whole, then sent). */
export const GET = orgRoute({
  name: 'reports.campaign-evidence',
  params: orgParams,
  query: evidenceQuerySchema,
  permission: 'report:export',
  run: async ({ ctx, query }) => downloadResponse(await downloadCampaignEvidence(ctx, query.campaign, query.format)),
})
