import { NextResponse } from 'next/server'
import { requireOrgContext } from '@/lib/auth/context'
import { AppError } from '@/lib/errors'
import { getSourceJob } from '@/lib/sources/queries'

export const runtime = 'nodejs'
export const dynamic = 'force-dynamic'

/** Progress of an import or sync job of this organization (polled by the import page). */
export async function GET(_req: Request, { params }: { params: Promise<{ orgSlug: string; jobId: string }> }) {
  try {
    const { orgSlug, jobId } = await params
    const ctx = await requireOrgContext(orgSlug)
    return NextResponse.json(await getSourceJob(ctx, jobId))
  } catch (err) {
    if (err instanceof AppError) return NextResponse.json({ error: err.message }, { status: err.status })
    console.error('import status failed', err)
    return NextResponse.json({ error: 'Could not read the job.' }, { status: 500 })
  }
}
