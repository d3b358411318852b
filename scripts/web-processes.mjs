// The web app as several processes on one port: `npm start` (scripts/start.mjs) is the node:cluster primary and each
// web process a cluster worker running Next.js's server, so one request's CPU never holds up the requests other
// processes serve, and a machine's cores all answer pages and API calls. Nothing a request needs is kept only in one
// process's memory: sessions are signed cookies, rate limits and idempotency keys live in the database, and what a
// process caches sees another's changes within seconds (API token rows 2 s, policies 0.5 s, inventory facets 10 s).
// The primary also relays /metrics scrapes, so a scrape landing on any process answers the sum over all of them
// (lib/telemetry/cluster.ts, where the messages are answered).
import cluster from 'node:cluster'
import os from 'node:os'
import { supervise } from './supervise.mjs'

export const MAX_WEB_PROCESSES = 32
/** Processes a configured deployment runs when CUSTODIAN_WEB_PROCESSES is not set: its cores, up to this many. */
export const DEFAULT_MAX_WEB_PROCESSES = 4

export const READY = 'custodian:metrics-ready'
export const SCRAPE = 'custodian:metrics-scrape'
export const SCRAPED = 'custodian:metrics-scraped'
export const GET = 'custodian:metrics-get'
export const PART = 'custodian:metrics-part'

/**
 * How many web processes to run: CUSTODIAN_WEB_PROCESSES (1–32) when set; else one in demo mode (a laptop, one
 * person) and, in a configured deployment, one per core up to DEFAULT_MAX_WEB_PROCESSES.
 */
export function webProcessCount(env, { demo, cores = os.availableParallelism() }) {
  const raw = (env.CUSTODIAN_WEB_PROCESSES ?? '').trim()
  if (raw === '') return demo ? 1 : Math.max(1, Math.min(cores, DEFAULT_MAX_WEB_PROCESSES))
  const n = /^\d+$/.test(raw) ? Number(raw) : NaN
  if (!(n >= 1 && n <= MAX_WEB_PROCESSES))
    throw new Error(`CUSTODIAN_WEB_PROCESSES must be a whole number from 1 to ${MAX_WEB_PROCESSES}, not "${env.CUSTODIAN_WEB_PROCESSES}".`)
  return n
}

/**
 * Makes this process the primary of `processes` web processes, each running `exec` with `args` (Next's server) as a
 * node:cluster worker on the shared port, with its stdout piped (onStart gets each child as it starts; stderr is
 * inherited), supervised on its own (restarted after a crash; onGiveUp when one keeps crashing), and the /metrics relay
 * installed. Call once. Returns stop(): every web process ended.
 */
export function startWebProcesses({ processes, exec, args, onStart, onGiveUp, policy, scrapeTimeoutMs = 3_000 }) {
  cluster.setupPrimary({ exec, args, stdio: ['ignore', 'pipe', 'inherit', 'ipc'] })
  relayMetrics(scrapeTimeoutMs)
  const webs = Array.from({ length: processes }, (_, i) =>
    supervise(
      processes > 1 ? `web server (process ${i + 1} of ${processes})` : 'web server',
      () => cluster.fork({ CUSTODIAN_WEB_CLUSTER: '1', CUSTODIAN_WEB_PROCESS: String(i + 1) }).process,
      { onStart, onGiveUp, policy },
    ),
  )
  return { stop: () => Promise.all(webs.map((w) => w.stop())).then(() => undefined) }
}

/** A scrape landing on one process is answered with every process's metrics (lib/telemetry/cluster.ts sums them). */
function relayMetrics(scrapeTimeoutMs) {
  const ready = new Set()
  const pending = new Map()
  cluster.on('exit', (worker) => ready.delete(worker.id))
  cluster.on('message', (worker, m) => {
    if (m?.type === READY) ready.add(worker.id)
    else if (m?.type === PART) pending.get(m.id)?.(m.metrics)
    else if (m?.type === SCRAPE) {
      // Every process with metrics is asked; the scrape is answered with what came back, and how many did not answer.
      const asked = [...ready].map((id) => cluster.workers[id]).filter((w) => w?.isConnected())
      const parts = []
      let left = asked.length
      let failed = 0
      const finish = () => {
        clearTimeout(timer)
        pending.delete(m.id)
        if (worker.isConnected()) worker.send({ type: SCRAPED, id: m.id, parts, missing: left + failed })
      }
      const timer = setTimeout(finish, scrapeTimeoutMs)
      pending.set(m.id, (metrics) => {
        if (metrics) parts.push(metrics)
        else failed++
        if (--left === 0) finish()
      })
      if (left === 0) finish()
      for (const w of asked) w.send({ type: GET, id: m.id })
    }
  })
}
