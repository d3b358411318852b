// SQLite WAL checkpoints in their own thread while a large write runs in the main one (see lib/sql/checkpoints.ts).
// Every `everyMs` a PASSIVE checkpoint copies the committed WAL frames into the database file: it waits for nobody
// and nobody waits for it. On 'stop' one last pass, then the thread ends, telling how many passes copied frames.
// Plain JavaScript so the thread needs no TypeScript loader. Written by hand: SQLite has the checkpoint; what is ours
// is only where it runs.
import { parentPort, workerData } from 'node:worker_threads'
import Database from 'better-sqlite3'

const db = new Database(workerData.file, { timeout: 0 })
let passes = 0
const pass = () => {
  try {
    // [{ busy, log, checkpointed }]: busy when another connection was checkpointing; the next pass catches up.
    const [r] = db.pragma('wal_checkpoint(PASSIVE)')
    if (Number(r?.checkpointed ?? 0) > 0) passes++
  } catch {
    // SQLITE_BUSY or a locked file: the next pass (or the writer's own checkpoint afterwards) does it.
  }
}
const timer = setInterval(pass, workerData.everyMs)
parentPort.on('message', (msg) => {
  if (msg !== 'stop') return
  clearInterval(timer)
  pass()
  db.close()
  parentPort.postMessage({ passes })
  parentPort.close()
})
