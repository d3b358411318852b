// `npm run gateway`: the access gateway as its own process (several may run against one database; each keeps its own
// caches and rate-limit buckets). `npm start` runs one beside the web server and the worker, with `--demo` in demo mode.
// Environment: DATABASE_URL, GATEWAY_PORT (8080), GATEWAY_HOST (127.0.0.1), GATEWAY_STALE_SECONDS (30),
// GATEWAY_DEMO_UPSTREAM_PORT (8089, demo only), GATEWAY_METRICS_PORT (its own /metrics, guarded by METRICS_TOKEN).
import path from 'node:path'
import { env } from '@/lib/env'
import { startGateway } from '@/lib/gateway/runtime/server'
import { logger } from '@/lib/log'

const { databaseUrl, metricsToken } = env()
const demo = process.argv.includes('--demo')
if (demo && process.env.CUSTODIAN_DEMO !== 'true') {
  console.error('custodian gateway: --demo needs demo mode (CUSTODIAN_DEMO=true): it creates a token for a demo identity.')
  process.exit(1)
}

const port = Number(process.env.GATEWAY_PORT ?? 8080)
const gateway = await startGateway({
  databaseUrl,
  port,
  host: process.env.GATEWAY_HOST ?? '127.0.0.1',
  staleSeconds: Number(process.env.GATEWAY_STALE_SECONDS ?? 30),
  metricsPort: process.env.GATEWAY_METRICS_PORT ? Number(process.env.GATEWAY_METRICS_PORT) : undefined,
  metricsToken,
}).catch((err: unknown) => {
  const code = (err as { code?: string }).code
  console.error(
    code === 'EADDRINUSE'
      ? `custodian gateway: port ${port} is taken; set GATEWAY_PORT to another port (or CUSTODIAN_GATEWAY=false with npm start).`
      : `custodian gateway: could not start: ${err instanceof Error ? err.message : String(err)}`,
  )
  process.exit(1)
})
logger('gateway').info({ url: gateway.url, metricsUrl: gateway.metricsUrl }, `gateway listening on ${gateway.url}`)

let upstream: { close(): void } | null = null
if (demo) {
  const { prepareDemo } = await import('@/lib/gateway/runtime/demo')
  const tokenFile = path.resolve('data', 'demo-gateway-token')
  const d = await prepareDemo(databaseUrl, tokenFile).catch((err: unknown) => {
    // The gateway itself keeps running; only the demo is missing (e.g. GATEWAY_DEMO_UPSTREAM_PORT taken).
    console.error(`custodian gateway: the demo route could not be prepared: ${err instanceof Error ? err.message : String(err)}`)
    return null
  })
  upstream = d?.upstream ?? null
  if (d?.token)
    console.log(
      `  Gateway demo: route /demo for identity ${d.identityName}; its token is in data/demo-gateway-token. Try:\n` +
        `    curl -H "Authorization: Bearer $(cat data/demo-gateway-token)" ${gateway.url}/demo/hello\n`,
    )
}

let stopping = false
const stop = async () => {
  if (stopping) return
  stopping = true
  upstream?.close()
  await gateway.close().catch((err: unknown) => console.error(err))
  process.exit(0)
}
process.on('SIGINT', () => void stop())
process.on('SIGTERM', () => void stop())
