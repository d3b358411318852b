import { databaseIsHealthy } from '@/lib/health'

export async function GET() {
  if (await databaseIsHealthy()) return Response.json({ status: 'ok' })
  return Response.json(
    { type: 'about:blank', title: 'Database unavailable', status: 503 },
    { status: 503, headers: { 'content-type': 'application/problem+json' } },
  )
}
