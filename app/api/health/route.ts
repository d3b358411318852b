import { db } from '@/lib/db'

export const dynamic = 'force-dynamic'

export async function GET() {
  try {
    await db.organization.count()
    return Response.json({ status: 'ok' })
  } catch {
    return Response.json(
      { type: 'about:blank', title: 'Database unavailable', status: 503 },
      { status: 503, headers: { 'content-type': 'application/problem+json' } },
    )
  }
}
