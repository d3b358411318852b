// An export thread (lib/reports/export-threads.ts): reads one page of a large export on a SQLite connection of its own
// and writes its lines (page-reader.mjs, the same code the calling thread runs for its own pages), so a million-row
// export uses two cores and the process's event loop waits on half of its pages only. Plain JavaScript: under tsx it
// runs as it is; the Next.js build bundles it as a thread entry of its own.
import { parentPort, workerData } from 'node:worker_threads'
import { openExportConnection, sqlitePageWriter } from './page-reader.mjs'

const write = sqlitePageWriter(openExportConnection(workerData.file))

// A page goes back as its UTF-8 bytes, moved (not copied) to the caller, which sends them on as they are.
const encoder = new TextEncoder()
parentPort.on('message', ({ id, page }) => {
  try {
    const bytes = encoder.encode(write(page).join(''))
    parentPort.postMessage({ id, bytes }, [bytes.buffer])
  } catch (err) {
    parentPort.postMessage({ id, error: err instanceof Error ? err.message : String(err) })
  }
})
