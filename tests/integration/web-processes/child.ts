// One web process of primary.ts: counts a call on /count with the app's metrics and answers /metrics with the app's
// endpoint (the same modules Next's route handlers use), saying which process answered.
import http from 'node:http'
import { metricsResponse } from '@/lib/telemetry/endpoint'
import { metrics } from '@/lib/telemetry/metrics'

const server = http.createServer((req, res) => {
  const head = { 'x-pid': String(process.pid) }
  if (req.url === '/count') {
    metrics().apiCalls.inc({ token_kind: 'cluster_test', status: '200' })
    res.writeHead(200, head).end(String(process.pid))
    return
  }
  if (req.url === '/metrics') {
    const request = new Request('http://localhost/metrics', { headers: { authorization: req.headers.authorization ?? '' } })
    void metricsResponse(request).then(async (r) =>
      res.writeHead(r.status, { ...head, 'content-type': r.headers.get('content-type') ?? '' }).end(await r.text()),
    )
    return
  }
  res.writeHead(404, head).end()
})
server.listen(Number(process.argv[2]), '127.0.0.1', () => console.log(`Ready ${process.pid}`))
