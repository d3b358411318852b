import 'server-only'
import { env } from '@/lib/env'
import { logger } from '@/lib/log'
import { metricsAccess, metricsRefusal } from '@/lib/telemetry/guard'
import { metrics } from '@/lib/telemetry/metrics'
import { webMetricsText } from '@/lib/telemetry/cluster'
import { queueMetricsText } from '@/lib/telemetry/queue'

/**
 * GET /metrics of the web app: its metrics in Prometheus text format (summed over its processes when it runs several)
 * plus the job queue read from the database, for a scraper holding METRICS_TOKEN. Not a person's page and not the API:
 * no session, no API token.
 */
export async function metricsResponse(req: Request, token: string | null = env().metricsToken): Promise<Response> {
  const refusal = metricsRefusal(metricsAccess(req.headers.get('authorization'), token), new URL(req.url).pathname)
  if (refusal) return new Response(refusal.body, { status: refusal.status, headers: refusal.headers })
  const { registry } = metrics()
  try {
    const [own, queue] = await Promise.all([webMetricsText(registry), queueMetricsText()])
    const text = `${own}${own.endsWith('\n') ? '' : '\n'}${queue}`
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
