import { exportIdentitiesCsv } from '@/lib/inventory/export'
import { parseInventoryFilter } from '@/lib/inventory/view-params'
import { downloadRoute } from '@/lib/route'

/** The inventory's current filter as a CSV download (same params as the page), streamed. */
export const GET = downloadRoute({
  name: 'identities.export',
  permission: 'identity:read',
  download: async ({ req, ctx }) => {
    // The inventory's own parser: it reads repeated and comma-separated values the way the page does.
    const { stream, filename } = await exportIdentitiesCsv(ctx, parseInventoryFilter(new URL(req.url).searchParams))
    return { body: stream, filename, contentType: 'text/csv; charset=utf-8' }
  },
})
