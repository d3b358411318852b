import 'server-only'
import { env } from '@/lib/env'
import { logger } from '@/lib/log'
import { metricsAccess, metricsRefusal } from '@/lib/telemetry/guard'
import { metrics } from '@/lib/telemetry/metrics'
import { updateQueueMetrics } from '@/lib/telemetry/queue'

/**
 * GET /metrics of the web app: this process's metrics in Prometheus text format plus the job queue read from the
 * database, for a scraper holding METRICS_TOKEN. Not a person's page and not the API: no session, no API token.
 */
export async function metricsResponse(req: Request, token: string | null = env().metricsToken): Promise<Response> {
  const refusal = metricsRefusal(metricsAccess(req.headers.get('authorization'), token), new URL(req.url).pathname)
  if (refusal) return new Response(refusal.body, { status: refusal.status, headers: refusal.headers })
  const { registry } = metrics()
  try {
    await updateQueueMetrics(registry)
    const text = await registry.metrics()
    return new Response(text, { status: 200, headers: { 'content-type': registry.contentType, 'cache-control': 'no-store' } })
  } catch (err) {
    logger('web').error({ err: err instanceof Error ? err.message : String(err) }, 'metrics scrape failed')
    const body = JSON.stringify({
      type: 'about:blank',
      title: 'Service unavailable',
      status: 503,
      detail: 'The metrics could not be read; try again.',
      instance: '/metrics',
    })
    return new Response(body, { status: 503, headers: { 'content-type': 'application/problem+json', 'cache-control': 'no-store' } })
  }
}
