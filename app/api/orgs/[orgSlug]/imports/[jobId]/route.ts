import { z } from 'zod'
import { orgParams, orgRoute } from '@/lib/route'
import { getSourceJob } from '@/lib/sources/queries'

/** Progress and result of a preview, import or sync job of this organization (polled by the import page). */
export const GET = orgRoute({
  name: 'imports.job',
  params: orgParams.extend({ jobId: z.string().min(1).max(64) }),
  permission: 'source:read',
  run: async ({ ctx, params }) => getSourceJob(ctx, params.jobId),
})
