import 'server-only'
import { once } from 'node:events'
import { Worker } from 'node:worker_threads'
import { sqliteFile } from '@/lib/db-url'
import { env } from '@/lib/env'
import { prismaSql, withSqlitePageCache } from './prisma'
import { sql } from './sql'

// SQLite's WAL checkpoint runs in the connection that commits: past 1,000 pages of WAL, each commit copies them into the
// database file before it returns. A large write at 1,000,000 identities commits 100,000+ pages a transaction (new rows
// land on their own leaf page in each of Identity's 21 indexes), so the writer spent a third of an import copying
// them. While such a write runs in the job worker, its connection stops checkpointing and a thread does it on the other
// core. The web server keeps SQLite's default (its writes are small, and its bundle does not ship the thread's file).

let allowed = false
/** Called by the job worker process (scripts/worker.ts) and the benchmarks that stand in for it. */
export function allowCheckpointThread(on = true) {
  allowed = on
}

let lastPasses: number | null = null
/** How many of the last thread's passes copied frames (null before any thread ended): for tests and logs. */
export const lastCheckpointThreadPasses = () => lastPasses

let runs = 0
let thread: { worker: Worker; exited: Promise<unknown> } | null = null
let autocheckpointBefore = 1000

/** Runs fn with the app connection's WAL checkpoints moved to a thread (SQLite, job worker only; otherwise just fn). */
export async function withCheckpointThread<T>(fn: () => Promise<T>): Promise<T> {
  const s = prismaSql()
  if (s.engine !== 'sqlite' || !allowed) return fn()
  if (runs++ === 0) {
    try {
      const [row] = await s.query<{ wal_autocheckpoint: unknown }>(sql`PRAGMA wal_autocheckpoint`)
      autocheckpointBefore = Math.trunc(Number(row?.wal_autocheckpoint)) || 1000
      // Every 50 ms: a pass with nothing to copy only reads the WAL header. Soon after each commit, because another
      // process's connection (the web server's) that commits while frames wait would copy them itself, in its request.
      const worker = new Worker(new URL('./checkpoint-thread.mjs', import.meta.url), { workerData: { file: sqliteFile(env().databaseUrl), everyMs: 50 } })
      thread = { worker, exited: once(worker, 'exit') }
      worker.once('message', (m: { passes?: number }) => (lastPasses = m.passes ?? null))
      // An error in the thread (it could not open the file) gives the writer its own checkpoints back.
      worker.on('error', () => void s.execute(sql.raw(`PRAGMA wal_autocheckpoint = ${autocheckpointBefore}`)).catch(() => {}))
      // PRAGMA takes no bound parameters.
      await s.execute(sql.raw('PRAGMA wal_autocheckpoint = 0'))
    } catch (err) {
      runs--
      await stop()
      throw err
    }
  }
  try {
    return await fn()
  } finally {
    if (--runs === 0) await stop()
  }

  async function stop() {
    await s.execute(sql.raw(`PRAGMA wal_autocheckpoint = ${autocheckpointBefore}`))
    const t = thread
    thread = null
    if (!t) return
    t.worker.postMessage('stop')
    let timer: NodeJS.Timeout | undefined
    // The last pass copies what is left; a thread that does not end within a minute is stopped. (`exited` was taken
    // at the start: a thread that failed has ended already.)
    const ended = await Promise.race([
      t.exited.then(
        () => true,
        () => true,
      ),
      new Promise<false>((r) => (timer = setTimeout(() => r(false), 60_000))),
    ])
    clearTimeout(timer)
    if (!ended) await t.worker.terminate()
  }
}

/**
 * A large write on the app connection (sync or import, campaign launch, bulk assignment, findings recompute): SQLite
 * gets a bigger page cache while it runs (withSqlitePageCache) and, in the job worker, its checkpoints off the writer.
 */
export function largeWrite<T>(cacheMib: number, fn: () => Promise<T>): Promise<T> {
  return withSqlitePageCache(cacheMib, () => withCheckpointThread(fn))
}
