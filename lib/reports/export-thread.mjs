// An export thread (lib/reports/export-threads.ts): reads one page of a large export on a SQLite connection of its own
// and writes its lines (lines.mjs), so a million-row export uses two cores and the process's event loop waits on half
// of its pages only. Plain JavaScript: under tsx it runs as it is; the Next.js build bundles it as a thread entry of its own.
import { parentPort, workerData } from 'node:worker_threads'
import Database from 'better-sqlite3'
import { PAGE_WRITERS } from './lines.mjs'

// Not opened read-only (a read-only connection cannot create the WAL index file when it is missing); query_only makes
// SQLite refuse any write on it instead.
const db = new Database(workerData.file, { fileMustExist: true, timeout: 20_000 })
db.pragma('query_only = ON')
const kept = new Map()
const prepared = (text) => {
  let stmt = kept.get(text)
  if (!stmt) {
    stmt = db.prepare(text)
    if (kept.size < 32) kept.set(text, stmt)
  }
  return stmt
}

// A page: its statements run in order, one read transaction for all (the figures match the rows), then its lines.
const readPage = db.transaction((statements) => statements.map(({ text, params }) => prepared(text).all(params)))

// A page goes back as its UTF-8 bytes, moved (not copied) to the caller, which sends them on as they are.
const encoder = new TextEncoder()
parentPort.on('message', ({ id, statements, writer, now }) => {
  try {
    const bytes = encoder.encode(PAGE_WRITERS[writer](readPage(statements), now).join(''))
    parentPort.postMessage({ id, bytes }, [bytes.buffer])
  } catch (err) {
    parentPort.postMessage({ id, error: err instanceof Error ? err.message : String(err) })
  }
})
