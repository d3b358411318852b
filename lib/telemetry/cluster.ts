import { AggregatorRegistry, type Registry } from 'prom-client'
import { GET, PART, READY, SCRAPE, SCRAPED } from '@/scripts/web-processes.mjs'

// The web app may run as several processes (CUSTODIAN_WEB_PROCESSES, `npm start`: node:cluster workers sharing one
// port, scripts/web-processes.mjs). A scrape of /metrics lands on one of them, so that one asks the cluster's primary
// for every web process's metrics (as prom-client JSON) and answers their sum: a counter never jumps back when the
// next scrape lands elsewhere. The messages are ours, not prom-client's own cluster protocol: Next.js loads this
// module in more than one bundle, and only the process-wide metrics() installs the answering listener, once. A
// process says READY when it has metrics at all (metrics() is built the first time the process counts something or is
// scraped): the primary asks only those, since one that has built none has counted nothing.

type Message = { type?: unknown; id?: unknown; parts?: unknown; missing?: unknown }
type Parts = Parameters<typeof AggregatorRegistry.aggregate>[0]

/** True in a web process started by scripts/web-processes.mjs (a cluster worker with an IPC channel to the primary). */
export function inWebCluster(): boolean {
  return process.env.CUSTODIAN_WEB_CLUSTER === '1' && typeof process.send === 'function'
}

/** Answers the primary's requests for this process's metrics: called once per process, by metrics(). */
export function answerMetricsRequests(registry: Registry) {
  if (!inWebCluster()) return
  process.on('message', (m: Message) => {
    if (m?.type !== GET) return
    registry.getMetricsAsJSON().then(
      (metrics) => process.send?.({ type: PART, id: m.id, metrics }),
      () => process.send?.({ type: PART, id: m.id, metrics: null }),
    )
  })
  process.send?.({ type: READY })
}

let nextId = 0

/** Every web process's metrics summed (prom-client's aggregators), or this process's alone when it runs by itself. */
export async function webMetricsText(registry: Registry, timeoutMs = 5_000): Promise<string> {
  if (!inWebCluster()) return registry.metrics()
  const id = `${process.pid}:${++nextId}`
  const parts = await new Promise<Parts>((resolve, reject) => {
    const onMessage = (m: Message) => {
      if (m?.type !== SCRAPED || m.id !== id) return
      done()
      // A process that did not answer in time (restarting, say) is left out of this scrape, and says so.
      if (typeof m.missing === 'number' && m.missing > 0) reject(new Error(`${m.missing} web process(es) did not answer`))
      else resolve(m.parts as Parts)
    }
    const timer = setTimeout(() => {
      done()
      reject(new Error('the web processes did not answer in time'))
    }, timeoutMs)
    const done = () => {
      clearTimeout(timer)
      process.off('message', onMessage)
    }
    process.on('message', onMessage)
    process.send?.({ type: SCRAPE, id })
  })
  return AggregatorRegistry.aggregate(parts).metrics()
}
