// `npm run worker`: the durable job worker as its own process (several may run at once).
// `npm start` runs one beside the web server. Run with the react-server condition so server-only modules load.
import { runWorker } from '@/lib/jobs/worker'

const controller = new AbortController()
process.on('SIGINT', () => controller.abort())
process.on('SIGTERM', () => controller.abort())
await runWorker({ signal: controller.signal, pollMs: Number(process.env.WORKER_POLL_MS ?? 1000) })
process.exit(0)
