import { downloadEvidencePack } from '@/lib/reports/downloads'
import { packQuerySchema } from '@/lib/reports/schemas'
import { downloadRoute } from '@/lib/route'

/** A campaign's signed evidence pack (ZIP). */
export const GET = downloadRoute({
  name: 'reports.evidence-pack',
  query: packQuerySchema,
  permission: 'report:export',
  download: ({ ctx, query }) => downloadEvidencePack(ctx, query.campaign, { from: query.from, to: query.to }),
})
