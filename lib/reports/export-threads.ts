import { existsSync } from 'node:fs'
import path from 'node:path'
import { Worker } from 'node:worker_threads'
import { sqliteFile } from '@/lib/db-url'
import { render, type Fragment } from '@/lib/sql/sql'
import type { PageWriter } from './lines.mjs'

/** Threads that read and write export pages (SQLite): `page` sends one page's statements and answers its lines (lines.mjs). */
export type ExportThreads = {
  page(statements: Fragment[], writer: PageWriter, now: number): Promise<Uint8Array[]>
  close(): Promise<void>
}

/**
 * Starts `threads` export threads (lib/reports/export-thread.mjs; pages go to them in turn), or null when the thread's
 * file is not where the app runs from (the caller then reads and writes on its own thread). better-sqlite3 is
 * synchronous: on the caller's thread every page query blocks everything else the process does, and one thread is one
 * core. A page crosses back as its lines' UTF-8 bytes, moved rather than copied: handing rows across threads cost more than reading them.
 * Hand-written: the thread is thirty lines and no library runs better-sqlite3 off the main thread.
 */
export function startExportThreads(databaseUrl: string, threads: number): ExportThreads | null {
  // The app's root is the working directory (`next start`, the worker and the scripts run from it). The Next.js build
  // recognises this path and bundles the thread as an entry of its own; under tsx the file runs as it is.
  const file = path.join(process.cwd(), 'lib', 'reports', 'export-thread.mjs')
  if (!existsSync(file)) return null
  const workers = Array.from(
    { length: Math.max(1, threads) },
    () =>
      // A page's rows die young: a small heap per thread keeps the export's memory flat (see bench/exports.ts).
      new Worker(file, { workerData: { file: sqliteFile(databaseUrl) }, resourceLimits: { maxYoungGenerationSizeMb: 8, maxOldGenerationSizeMb: 96 } }),
  )
  const waiting = new Map<number, { resolve: (bytes: Uint8Array[]) => void; reject: (e: Error) => void }>()
  let next = 0
  let failed: Error | null = null
  const failAll = (e: Error) => {
    failed = e
    for (const w of waiting.values()) w.reject(e)
    waiting.clear()
  }
  const onMessage = (m: { id: number; bytes?: Uint8Array; error?: string }) => {
    const w = waiting.get(m.id)
    if (!w) return
    waiting.delete(m.id)
    if (m.error !== undefined) w.reject(new Error(m.error))
    else w.resolve(m.bytes ? [m.bytes] : [])
  }
  for (const worker of workers) {
    worker.on('message', onMessage)
    worker.on('error', (e) => failAll(e))
    worker.on('exit', (code) => failAll(new Error(`an export thread ended (exit ${code})`)))
  }
  return {
    page(statements, writer, now) {
      if (failed) return Promise.reject(failed)
      const id = next++
      const rendered = statements.map((q) => render(q, 'sqlite'))
      return new Promise<Uint8Array[]>((resolve, reject) => {
        waiting.set(id, { resolve, reject })
        workers[id % workers.length].postMessage({ id, statements: rendered, writer, now })
      })
    },
    async close() {
      for (const worker of workers) worker.removeAllListeners('exit')
      await Promise.all(workers.map((w) => w.terminate()))
    },
  }
}
