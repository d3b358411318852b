// How a gateway process learns that something it decides on changed, and whether the database still answers.
// SQLite: poll `GatewayVersion` (bumped by triggers in the writing transaction) every ~250 ms. PostgreSQL: LISTEN
// custodian_gateway on a dedicated connection (the same triggers NOTIFY with the organization id at commit), with a
// heartbeat; after a reconnect every cache is dropped, since notifications sent meanwhile were lost.
import pg from 'pg'
import type { GatewayDb } from './db'
import { loadVersions } from './store'

export interface ChangeHandlers {
  /** something of this organization changed */
  org(orgId: string): void
  /** drop every cache (PostgreSQL reconnect) */
  all(): void
}

export interface ChangeFeed {
  /** epoch ms of the last time the database answered */
  lastOk(): number
  start(): Promise<void>
  close(): Promise<void>
}

export function changeFeed(db: GatewayDb, on: ChangeHandlers, opts: { pollMs?: number; log?: (msg: string) => void } = {}): ChangeFeed {
  return db.engine === 'sqlite' ? sqlitePoll(db, on, opts.pollMs ?? 250) : pgListen(db.url, on, opts.log)
}

function sqlitePoll(db: GatewayDb, on: ChangeHandlers, pollMs: number): ChangeFeed {
  const versions = new Map<string, number>()
  let lastOk = 0
  let timer: NodeJS.Timeout | null = null
  let stopped = false
  const poll = async () => {
    try {
      const rows = await loadVersions(db)
      for (const r of rows) {
        const before = versions.get(r.orgId)
        if (before !== r.version) {
          versions.set(r.orgId, r.version)
          if (before !== undefined) on.org(r.orgId)
        }
      }
      lastOk = Date.now()
    } catch {
      // The database did not answer: lastOk stays, and the gateway fails closed once it is too old.
    }
  }
  const loop = async () => {
    await poll()
    if (!stopped) timer = setTimeout(loop, pollMs)
  }
  return {
    lastOk: () => lastOk,
    async start() {
      await poll()
      timer = setTimeout(loop, pollMs)
    },
    async close() {
      stopped = true
      if (timer) clearTimeout(timer)
    },
  }
}

function pgListen(url: string, on: ChangeHandlers, log?: (msg: string) => void): ChangeFeed {
  let client: pg.Client | null = null
  let lastOk = 0
  let stopped = false
  let heartbeat: NodeJS.Timeout | null = null
  let retry: NodeJS.Timeout | null = null
  let connectedOnce = false

  const drop = (c: pg.Client) => {
    if (client !== c) return
    client = null
    c.removeAllListeners('notification')
    c.end().catch(() => {})
    if (!stopped && !retry) retry = setTimeout(connect, 500)
  }

  const connect = async () => {
    retry = null
    if (stopped) return
    const c = new pg.Client({ connectionString: url, connectionTimeoutMillis: 2_000, keepAlive: true })
    c.on('error', () => drop(c))
    c.on('end', () => drop(c))
    c.on('notification', (n) => {
      if (n.channel === 'custodian_gateway' && n.payload) on.org(n.payload)
    })
    client = c
    try {
      await c.connect()
      await c.query('LISTEN custodian_gateway')
      lastOk = Date.now()
      // Notifications sent while this process was not listening are lost: forget everything it decided before.
      if (connectedOnce) {
        on.all()
        log?.('gateway: reconnected to PostgreSQL, caches dropped')
      }
      connectedOnce = true
    } catch {
      drop(c)
    }
  }

  const beat = async () => {
    const c = client
    if (c) {
      try {
        await Promise.race([c.query('SELECT 1'), new Promise((_, reject) => setTimeout(() => reject(new Error('heartbeat timeout')), 1_000))])
        lastOk = Date.now()
      } catch {
        drop(c)
      }
    }
    if (!stopped) heartbeat = setTimeout(beat, 500)
  }

  return {
    lastOk: () => lastOk,
    async start() {
      await connect()
      heartbeat = setTimeout(beat, 500)
    },
    async close() {
      stopped = true
      if (heartbeat) clearTimeout(heartbeat)
      if (retry) clearTimeout(retry)
      const c = client
      client = null
      await c?.end().catch(() => {})
    },
  }
}
