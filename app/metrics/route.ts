import { metricsResponse } from '@/lib/telemetry/endpoint'

// Prometheus scrapes this with METRICS_TOKEN as a bearer token (checked in metricsResponse); no session or API token.
export const dynamic = 'force-dynamic'

export function GET(req: Request) {
  return metricsResponse(req)
}
