import { openApiDocument } from '@/lib/api/openapi'

// The contract is public (like any published API reference): it names operations and scopes, never data.
export function GET() {
  return Response.json(openApiDocument(), { headers: { 'Cache-Control': 'public, max-age=300', 'Access-Control-Allow-Origin': '*' } })
}
