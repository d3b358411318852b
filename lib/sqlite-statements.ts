import type Database from 'better-sqlite3'

/**
 * Prepared statements kept per SQL text for Prisma's better-sqlite3 adapter.
 *
 * The adapter (@prisma/adapter-better-sqlite3 7.x) prepares every statement it runs afresh, because it binds the
 * arguments with `Statement.bind`, which better-sqlite3 allows once per statement. Preparing is the single largest
 * cost of a short query there (a sixth of the CPU of the remediation worker in a profile). Hand-written because
 * the adapter offers no hook: `prepare` is replaced on the connection by one that keeps each text's statement (least
 * recently used dropped past `max`) and hands back a small facade whose `bind` remembers the arguments and passes them to
 * each call instead — exactly the calls the adapter makes (`reader`, `run`, `columns`, `raw().all()`). SQLite re-prepares
 * a kept statement by itself after a schema change (sqlite3_prepare_v3), and better-sqlite3 resets it after every run,
 * failed or not, so a kept statement holds no transaction or lock.
 */
export function keepPreparedStatements(client: Database.Database, max = 500): void {
  const real = client.prepare.bind(client)
  const kept = new Map<string, Database.Statement>()
  const statementFor = (text: string) => {
    let stmt = kept.get(text)
    if (stmt) {
      kept.delete(text) // re-inserted below: Map order is the recency order
    } else {
      stmt = real(text)
      if (kept.size >= max) kept.delete(kept.keys().next().value!)
    }
    kept.set(text, stmt)
    return stmt
  }
  // What a statement's columns are does not change while it is kept (Prisma names every column it selects), and
  // better-sqlite3 builds the list afresh on each call: once per statement, not once per query.
  const columnsOf = new WeakMap<Database.Statement, Database.ColumnDefinition[]>()
  const columns = (stmt: Database.Statement) => {
    let c = columnsOf.get(stmt)
    if (!c) columnsOf.set(stmt, (c = stmt.columns()))
    return c
  }
  const facade = (stmt: Database.Statement, args: unknown[]) => ({
    reader: stmt.reader,
    run: () => stmt.run(...args),
    columns: () => columns(stmt),
    raw: (on = true) => ({ all: () => stmt.raw(on).all(...args) as unknown[] }),
  })
  const prepare = (text: string) => {
    const stmt = statementFor(text)
    return { ...facade(stmt, []), bind: (...args: unknown[]) => facade(stmt, args) }
  }
  Object.defineProperty(client, 'prepare', { value: prepare, configurable: true, writable: true })
}
