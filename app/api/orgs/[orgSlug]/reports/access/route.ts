import { downloadAccess } from '@/lib/reports/downloads'
import { downloadRoute } from '@/lib/route'

/** Every active grant (CSV), streamed. */
export const GET = downloadRoute({ name: 'reports.access', permission: 'report:export', download: ({ ctx }) => downloadAccess(ctx) })
