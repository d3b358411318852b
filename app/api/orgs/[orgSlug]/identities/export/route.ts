import { exportIdentitiesCsv } from '@/lib/inventory/export'
import { parseInventoryFilter } from '@/lib/inventory/view-params'
import { orgParams, orgRoute } from '@/lib/route'

export const runtime = 'nodejs'
export const dynamic = 'force-dynamic'

/** The inventory's current filter as a CSV download (same params as the page), streamed. */
export const GET = orgRoute({
  name: 'identities.export',
  params: orgParams,
  permission: 'identity:read',
  run: async ({ req, ctx }) => {
    // The inventory's own parser: it reads repeated and comma-separated values the way the page does.
    const { stream, filename } = await exportIdentitiesCsv(ctx, parseInventoryFilter(new URL(req.url).searchParams))
    return new Response(stream, {
      headers: {
        'Content-Type': 'text/csv; charset=utf-8',
        'Content-Disposition': `attachment; filename="${filename}"`,
        'Cache-Control': 'no-store',
        'X-Content-Type-Options': 'nosniff',
      },
    })
  },
})
