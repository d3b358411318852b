import { downloadInventory } from '@/lib/reports/downloads'
import { downloadRoute } from '@/lib/route'

/** The inventory as it is now (CSV), streamed. */
export const GET = downloadRoute({ name: 'reports.inventory', permission: 'report:export', download: ({ ctx }) => downloadInventory(ctx) })
