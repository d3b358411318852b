import { NextResponse } from 'next/server'
import { recordDenied } from '@/lib/audit/record'
import { requireOrgContext } from '@/lib/auth/context'
import { can } from '@/lib/auth/permissions'
import { AppError } from '@/lib/errors'
import { exportIdentitiesCsv } from '@/lib/inventory/export'
import { parseInventoryFilter } from '@/lib/inventory/view-params'

export const runtime = 'nodejs'
export const dynamic = 'force-dynamic'

/** The inventory's current filter as a CSV download (same params as the page), streamed. */
export async function GET(req: Request, { params }: { params: Promise<{ orgSlug: string }> }) {
  try {
    const { orgSlug } = await params
    // Session and membership from the database; another organization's slug answers 404 like an unknown one.
    const ctx = await requireOrgContext(orgSlug)
    if (!can(ctx.role, 'identity:read')) {
      await recordDenied(ctx, { action: 'permission.identity:read', targetType: 'identity', details: { role: ctx.role, route: 'identities/export' } })
      return NextResponse.json({ error: 'You do not have permission to do this.' }, { status: 403 })
    }
    const filter = parseInventoryFilter(new URL(req.url).searchParams)
    const { stream, filename } = await exportIdentitiesCsv(ctx, filter)
    return new Response(stream, {
      headers: {
        'Content-Type': 'text/csv; charset=utf-8',
        'Content-Disposition': `attachment; filename="${filename}"`,
        'Cache-Control': 'no-store',
        'X-Content-Type-Options': 'nosniff',
      },
    })
  } catch (err) {
    if (err instanceof AppError) return NextResponse.json({ error: err.message }, { status: err.status })
    console.error('identity export failed', err)
    return NextResponse.json({ error: 'Could not export the identities. Try again.' }, { status: 500 })
  }
}
