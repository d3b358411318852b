import { existsSync } from 'node:fs'
import path from 'node:path'
import { Worker } from 'node:worker_threads'
import { sqliteFile } from '@/lib/db-url'
import { render, type Fragment } from '@/lib/sql/sql'
import type { PageWriter } from './lines.mjs'
import type { RenderedPage } from './page-reader.mjs'

/**
 * One page of an export: its statements (the first reads the rows), the writer of its lines, the time it is written
 * at, and — for pages whose rows refer to sources, users and teams by id — the statement that looks up their names,
 * given the JSON list of ids (lines.mjs: unknownNames).
 */
export type ExportPage = { statements: Fragment[]; writer: PageWriter; now: number; names?: (ids: readonly string[]) => Fragment }

/** A page's statements as SQLite text: the names statement rendered once, the page writer binds the ids it needs to it. */
export function renderPage({ statements, writer, now, names }: ExportPage): RenderedPage {
  return { statements: statements.map((q) => render(q, 'sqlite')), lookup: names ? render(names([]), 'sqlite') : undefined, writer, now }
}

/** Threads that read and write export pages (SQLite): `page` sends one page's statements and answers its lines (lines.mjs). */
export type ExportThreads = {
  page(p: ExportPage): Promise<Uint8Array[]>
  close(): Promise<void>
}

/**
 * Starts `threads` export threads (lib/reports/export-thread.mjs; pages go to them in turn), or null when the thread's
 * file is not where the app runs from (the caller then reads and writes on its own thread). better-sqlite3 is
 * synchronous: on the caller's thread every page query blocks everything else the process does, and one thread is one
 * core. A page crosses back as its lines' UTF-8 bytes, moved rather than copied: handing rows across threads cost more than reading them.
 * Hand-written: the thread is twenty lines and no library runs better-sqlite3 off the main thread.
 */
export function startExportThreads(databaseUrl: string, threads: number): ExportThreads | null {
  // The app's root is the working directory (`next start`, the worker and the scripts run from it). The Next.js build
  // recognises this path and bundles the thread as an entry of its own; under tsx the file runs as it is.
  const file = path.join(process.cwd(), 'lib', 'reports', 'export-thread.mjs')
  if (!existsSync(file)) return null
  const workers = Array.from(
    { length: Math.max(1, threads) },
    () =>
      // A page's rows die young: a small heap keeps the export's memory flat (bench/exports.ts). A young generation of
      // 8 MiB had the thread collecting a third of its time (a page's rows outlived several scavenges); 16 MiB does not.
      new Worker(file, { workerData: { file: sqliteFile(databaseUrl) }, resourceLimits: { maxYoungGenerationSizeMb: 16, maxOldGenerationSizeMb: 48 } }),
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
    page(p) {
      if (failed) return Promise.reject(failed)
      const id = next++
      const page = renderPage(p)
      return new Promise<Uint8Array[]>((resolve, reject) => {
        waiting.set(id, { resolve, reject })
        workers[id % workers.length].postMessage({ id, page })
      })
    },
    async close() {
      for (const worker of workers) worker.removeAllListeners('exit')
      await Promise.all(workers.map((w) => w.terminate()))
    },
  }
}
