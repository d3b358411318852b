// `npm run worker`: the durable job worker as its own process (several may run at once).
// `npm start` runs one beside the web server. Run with the react-server condition so server-only modules load.
// WORKER_METRICS_PORT: the worker's own /metrics (job outcomes), guarded by METRICS_TOKEN like the web app's.
import { env } from '@/lib/env'
import { runWorker } from '@/lib/jobs/worker'
import { logger } from '@/lib/log'
import { allowCheckpointThread } from '@/lib/sql/checkpoints'
import { startMetricsServer } from '@/lib/telemetry/server'

const { workerMetricsPort, metricsToken } = env()
const metricsServer = workerMetricsPort
  ? await startMetricsServer({ port: workerMetricsPort, host: process.env.WORKER_METRICS_HOST, token: metricsToken })
  : null
if (metricsServer) logger('worker').info({ url: metricsServer.url }, 'worker metrics listening')

// Large writes (imports, syncs) here hand their SQLite WAL checkpoints to a thread: lib/sql/checkpoints.ts.
allowCheckpointThread()

const controller = new AbortController()
process.on('SIGINT', () => controller.abort())
process.on('SIGTERM', () => controller.abort())
await runWorker({ signal: controller.signal, pollMs: Number(process.env.WORKER_POLL_MS ?? 1000) })
await metricsServer?.close()
process.exit(0)
