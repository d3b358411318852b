import { NextResponse } from 'next/server'
import { recordDenied } from '@/lib/audit/record'
import { requireOrgContext } from '@/lib/auth/context'
import { can } from '@/lib/auth/permissions'
import { AppError } from '@/lib/errors'
import { receiveUpload } from '@/lib/sources/receive'
import { uploadQuerySchema } from '@/lib/sources/schemas'

export const runtime = 'nodejs'
export const dynamic = 'force-dynamic'

/**
 * POST the raw file as the body, with ?format=&sourceId=&name= : it is streamed to disk and previewed.
 * A public endpoint: it checks the session, the membership and the permission itself.
 */
export async function POST(req: Request, { params }: { params: Promise<{ orgSlug: string }> }) {
  try {
    const { orgSlug } = await params
    const ctx = await requireOrgContext(orgSlug)
    if (!can(ctx.role, 'source:manage')) {
      await recordDenied(ctx, { action: 'permission.source:manage', targetType: 'route', targetLabel: 'imports.upload', details: { role: ctx.role } })
      return NextResponse.json({ error: 'You do not have permission to import files.' }, { status: 403 })
    }
    const url = new URL(req.url)
    const q = uploadQuerySchema.safeParse(Object.fromEntries(url.searchParams))
    if (!q.success) return NextResponse.json({ error: 'Choose a format and a source.', fieldErrors: q.error.flatten().fieldErrors }, { status: 400 })
    const length = req.headers.get('content-length')
    const result = await receiveUpload(ctx, q.data, req.body, length ? Number(length) : null)
    return NextResponse.json(result)
  } catch (err) {
    if (err instanceof AppError) return NextResponse.json({ error: err.message }, { status: err.status })
    console.error('import upload failed', err)
    return NextResponse.json({ error: 'The upload failed on our side. Nothing was imported; try again.' }, { status: 500 })
  }
}
