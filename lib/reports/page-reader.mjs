// How a SQLite export reads and writes one page, on whichever thread: the export thread (export-thread.mjs) and the
// export's own connection on the calling thread (lib/reports/inventory.ts) run this same code. Plain JavaScript, as
// lines.mjs, so the thread runs it as it is.
import Database from 'better-sqlite3'
import { PAGE_WRITERS, rememberNames, unknownNames } from './lines.mjs'

/**
 * An export's read connection to the SQLite file. Not opened read-only (a read-only connection cannot create the WAL
 * index file when it is missing); query_only makes SQLite refuse any write on it instead. No other setting changed.
 */
export function openExportConnection(file) {
  const db = new Database(file, { fileMustExist: true, timeout: 20_000 })
  db.pragma('query_only = ON')
  return db
}

/**
 * A writer of pages on `db`: given a page's rendered statements (the first reads its rows), the name of its writer
 * (lines.mjs), the time and — for pages that refer to sources, users and teams by id — the rendered names statement,
 * answers the page's lines. The statements and the names lookup run in one read transaction (the figures and names
 * match the rows); rows come as arrays. The names met are kept for the export's later pages (one writer per export).
 */
export function sqlitePageWriter(db) {
  const kept = new Map()
  const prepared = (text) => {
    let stmt = kept.get(text)
    if (!stmt) {
      stmt = db.prepare(text).raw(true)
      if (kept.size < 32) kept.set(text, stmt)
    }
    return stmt
  }
  const names = new Map()
  // Every parameter of the names statement is the JSON list of the ids looked up (lib/reports/inventory.ts: namesOf).
  const read = db.transaction((statements, lookup) => {
    const results = statements.map(({ text, params }) => prepared(text).all(params))
    if (lookup) {
      const unknown = unknownNames(results[0], names)
      if (unknown.length) {
        const ids = JSON.stringify(unknown)
        rememberNames(names, unknown, prepared(lookup.text).all(lookup.params.map(() => ids)))
      }
    }
    return results
  })
  return ({ statements, lookup, writer, now }) => PAGE_WRITERS[writer](read(statements, lookup), now, names)
}
