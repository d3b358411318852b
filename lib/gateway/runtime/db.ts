// The gateway's own database connection (never the web app's): better-sqlite3 on SQLite, a small pg.Pool on
// PostgreSQL (the pool reconnects by itself after the server comes back). Statements are written with the `sql` tag
// (lib/sql/sql.ts) so the same text runs on both engines. The gateway reads through it when a cache is cold, polls
// GatewayVersion on it (SQLite) and writes its batches of calls; never on the hot path of a request once caches are warm.
import { Worker } from 'node:worker_threads'
import Database from 'better-sqlite3'
import pg from 'pg'
import { sqliteFile } from '@/lib/db-url'
import { engineOf } from '@/lib/sql/driver'
import { render, type Engine, type Fragment } from '@/lib/sql/sql'

export interface GatewayDb {
  readonly engine: Engine
  readonly url: string
  query<T = Record<string, unknown>>(q: Fragment): Promise<T[]>
  /** Runs the statements in one transaction (a batch of calls and what it touches). */
  transaction(statements: readonly Fragment[]): Promise<void>
  close(): Promise<void>
}

export function openGatewayDb(url: string): GatewayDb {
  return engineOf(url) === 'sqlite' ? sqliteDb(url) : pgDb(url)
}

function sqliteDb(url: string): GatewayDb {
  // A short busy timeout: the web app and the worker write the same file, but the gateway's reads must not stall
  // for 20 s; a failed poll is retried 250 ms later.
  const db = new Database(sqliteFile(url), { timeout: 2_000 })
  db.pragma('journal_mode = WAL')
  // Reads only (cold caches, the change poll): writes go through the writer thread's own connection.
  const writer = new SqliteWriter(sqliteFile(url))
  const statements = new Map<string, Database.Statement>()
  const prepare = (text: string) => {
    let stmt = statements.get(text)
    if (!stmt) {
      stmt = db.prepare(text)
      statements.set(text, stmt)
    }
    return stmt
  }
  return {
    engine: 'sqlite',
    url,
    async query<T>(q: Fragment) {
      const { text, params } = render(q, 'sqlite')
      return prepare(text).all(params) as T[]
    },
    // Writes go to the writer thread: the event loop keeps serving requests while a batch is written or waits its turn.
    transaction: (list) => writer.run(list.map((q) => render(q, 'sqlite'))),
    async close() {
      await writer.close()
      statements.clear()
      db.close()
    },
  }
}

/** The writer thread (sqlite-writer.mjs): one batch at a time, in order, each answered by its id. */
class SqliteWriter {
  private readonly worker: Worker
  private readonly waiting = new Map<number, { resolve: () => void; reject: (e: Error) => void }>()
  private next = 0
  private exited = false

  constructor(file: string) {
    this.worker = new Worker(new URL('./sqlite-writer.mjs', import.meta.url), { workerData: { file } })
    this.worker.on('message', (m: { id: number; error?: string }) => {
      const w = this.waiting.get(m.id)
      this.waiting.delete(m.id)
      if (m.error === undefined) w?.resolve()
      else w?.reject(new Error(m.error))
    })
    // A thread that dies fails what it held (the recorder keeps those batches and tries again).
    this.worker.on('error', (err) => this.failAll(err))
    this.worker.on('exit', () => {
      this.exited = true
      this.failAll(new Error('the gateway database writer stopped'))
    })
    // Never what keeps the process alive.
    this.worker.unref()
  }

  run(statements: { text: string; params: unknown[] }[]): Promise<void> {
    if (this.exited) return Promise.reject(new Error('the gateway database writer stopped'))
    const id = this.next++
    return new Promise((resolve, reject) => {
      this.waiting.set(id, { resolve, reject })
      this.worker.postMessage({ id, statements })
    })
  }

  async close(): Promise<void> {
    if (this.exited) return
    this.worker.postMessage('close')
    await new Promise<void>((resolve) => this.worker.once('exit', () => resolve()))
  }

  private failAll(err: Error) {
    for (const w of this.waiting.values()) w.reject(err)
    this.waiting.clear()
  }
}

function pgDb(url: string): GatewayDb {
  const pool = new pg.Pool({ connectionString: url, max: 4, connectionTimeoutMillis: 2_000, idleTimeoutMillis: 30_000 })
  // A connection the server dropped is reported here; without a listener it would end the process.
  pool.on('error', () => {})
  return {
    engine: 'postgresql',
    url,
    async query<T>(q: Fragment) {
      const { text, params } = render(q, 'postgresql')
      return (await pool.query(text, params)).rows as T[]
    },
    async transaction(list) {
      const client = await pool.connect()
      try {
        await client.query('BEGIN')
        for (const q of list) {
          const { text, params } = render(q, 'postgresql')
          await client.query(text, params)
        }
        await client.query('COMMIT')
        client.release()
      } catch (err) {
        await client.query('ROLLBACK').catch(() => {})
        client.release(true)
        throw err
      }
    },
    async close() {
      await pool.end()
    },
  }
}
