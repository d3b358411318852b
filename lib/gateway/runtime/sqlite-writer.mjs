// The gateway's SQLite writer, in its own thread: better-sqlite3 is synchronous, so a batch of call records written on
// the gateway's event loop would hold every request for as long as the write takes — or up to the busy timeout while
// the web app or the worker holds the write lock. Here it waits without holding anyone up. Plain JavaScript so the
// thread needs no TypeScript loader. Messages: { id, statements: [{ text, params }] } → { id, error?: string }.
import { parentPort, workerData } from 'node:worker_threads'
import Database from 'better-sqlite3'

const db = new Database(workerData.file, { timeout: 20_000 })
db.pragma('journal_mode = WAL')
// Without an fsync per batch (WAL keeps the file consistent; a power cut may lose the last batch, never corrupt it).
db.pragma('synchronous = NORMAL')
const prepared = new Map()
const prepare = (text) => {
  let stmt = prepared.get(text)
  if (!stmt) {
    stmt = db.prepare(text)
    prepared.set(text, stmt)
  }
  return stmt
}

parentPort.on('message', (msg) => {
  if (msg === 'close') {
    prepared.clear()
    db.close()
    parentPort.close()
    return
  }
  try {
    db.transaction(() => {
      for (const s of msg.statements) prepare(s.text).run(s.params)
    }).immediate()
    parentPort.postMessage({ id: msg.id })
  } catch (err) {
    parentPort.postMessage({ id: msg.id, error: err instanceof Error ? err.message : String(err) })
  }
})
