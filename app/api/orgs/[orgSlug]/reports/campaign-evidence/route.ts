import { downloadCampaignEvidence } from '@/lib/reports/downloads'
import { evidenceQuerySchema } from '@/lib/reports/schemas'
import { downloadRoute } from '@/lib/route'

/** A campaign's evidence as CSV (streamed) or PDF (rendered whole, then sent). */
export const GET = downloadRoute({
  name: 'reports.campaign-evidence',
  query: evidenceQuerySchema,
  permission: 'report:export',
  download: ({ ctx, query }) => downloadCampaignEvidence(ctx, query.campaign, query.format),
})
