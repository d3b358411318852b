// `npm run gateway`: the access gateway as its own process (several may run against one database; each keeps its own
// caches and rate-limit buckets). `npm start` runs one beside the web server and the worker.
// Environment: DATABASE_URL, GATEWAY_PORT (8080), GATEWAY_HOST (127.0.0.1), GATEWAY_STALE_SECONDS (30).
import { env } from '@/lib/env'
import { startGateway } from '@/lib/gateway/runtime/server'

const { databaseUrl } = env()
const gateway = await startGateway({
  databaseUrl,
  port: Number(process.env.GATEWAY_PORT ?? 8080),
  host: process.env.GATEWAY_HOST ?? '127.0.0.1',
  staleSeconds: Number(process.env.GATEWAY_STALE_SECONDS ?? 30),
})
console.log(`custodian gateway: listening on ${gateway.url}`)

let stopping = false
const stop = async () => {
  if (stopping) return
  stopping = true
  await gateway.close().catch((err: unknown) => console.error(err))
  process.exit(0)
}
process.on('SIGINT', () => void stop())
process.on('SIGTERM', () => void stop())
