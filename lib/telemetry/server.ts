import http from 'node:http'
import type { AddressInfo } from 'node:net'
import { metricsAccess, metricsRefusal } from '@/lib/telemetry/guard'
import { metrics } from '@/lib/telemetry/metrics'

export interface MetricsServer {
  readonly url: string
  close(): Promise<void>
}

/**
 * A small HTTP server answering GET /metrics with this process's metrics, for the processes that are not the web app
 * (the worker, the gateway): the same bearer token (METRICS_TOKEN) guards it; anything else is 404.
 */
export async function startMetricsServer(opts: { port: number; host?: string; token: string | null }): Promise<MetricsServer> {
  const { registry } = metrics()
  const server = http.createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0]
    if (path !== '/metrics' || (req.method !== 'GET' && req.method !== 'HEAD')) {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('Not found\n')
      return
    }
    const refusal = metricsRefusal(metricsAccess(req.headers.authorization, opts.token), path)
    if (refusal) {
      res.writeHead(refusal.status, refusal.headers).end(refusal.body)
      return
    }
    registry.metrics().then(
      (text) => res.writeHead(200, { 'content-type': registry.contentType, 'cache-control': 'no-store' }).end(text),
      () => res.writeHead(503, { 'content-type': 'text/plain' }).end('The metrics could not be read.\n'),
    )
  })
  const address = await new Promise<AddressInfo>((resolve, reject) => {
    server.once('error', reject)
    server.listen(opts.port, opts.host ?? '127.0.0.1', () => resolve(server.address() as AddressInfo))
  })
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address
  return {
    url: `http://${host}:${address.port}/metrics`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve())
        server.closeAllConnections()
      }),
  }
}
