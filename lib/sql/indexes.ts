// Index suspension for large loads through the driver connection (lib/sql/driver.ts).
import type { DriverSql } from './driver'
import { render, sql, type Fragment } from './sql'

const SUSPENDED = sql.ident('_custodian_bulk_indexes')

/** What else a load suspends beside the indexes (SQLite): triggers that keep derived tables, and how to rebuild those. */
export type SuspendTriggers = {
  /** the triggers (by name, on any table) to drop for the load */
  triggers: (name: string) => boolean
  /** statements, without parameters, that rebuild what those triggers keep: run once after the indexes, before the triggers return */
  rebuild: readonly Fragment[]
}

/** The saved row that holds the rebuild statements (a JSON list of their texts). */
const REBUILD = '~rebuild'

/**
 * Drop the secondary indexes of `tables` for a large load (building an index once is several times cheaper
 * than maintaining it row by row) and return a function that rebuilds them. Primary keys stay. The index
 * definitions are saved in the database first, so a load that dies half-way is repaired by the next
 * openDriverSql(url, { load: true }). With `also` (SQLite), the named triggers are dropped too and saved the same way;
 * the restore runs `also.rebuild` once (one transaction) before it creates them again.
 */
export async function suspendIndexes(
  s: DriverSql,
  tables: readonly string[],
  keep: (index: { name: string; sql: string }) => boolean = () => false,
  also?: SuspendTriggers,
): Promise<() => Promise<void>> {
  const list = sql.join(tables)
  const indexes = await s.query<{ name: string; sql: string }>(
    s.engine === 'sqlite'
      ? sql`SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL AND tbl_name IN (${list})`
      : sql`SELECT i.indexname AS name, i.indexdef AS sql FROM pg_indexes i WHERE i.schemaname = current_schema()
         AND i.tablename IN (${list}) AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conname = i.indexname)`,
  )
  const triggers =
    also && s.engine === 'sqlite'
      ? (await s.query<{ name: string; sql: string }>(sql`SELECT name, sql FROM sqlite_master WHERE type = 'trigger'`)).filter((t) => also.triggers(t.name))
      : []
  await s.transaction(async () => {
    await s.execute(sql`CREATE TABLE IF NOT EXISTS ${SUSPENDED} ("name" TEXT PRIMARY KEY, "sql" TEXT NOT NULL)`)
    for (const i of indexes.filter((x) => !keep(x))) {
      await s.execute(sql`INSERT INTO ${SUSPENDED} ("name", "sql") VALUES (${i.name}, ${i.sql})`)
      await s.execute(sql`DROP INDEX ${sql.ident(i.name)}`)
    }
    if (triggers.length) {
      const texts = also!.rebuild.map((q) => render(q, s.engine).text)
      await s.execute(sql`INSERT INTO ${SUSPENDED} ("name", "sql") VALUES (${REBUILD}, ${JSON.stringify(texts)})`)
    }
    for (const t of triggers) {
      await s.execute(sql`INSERT INTO ${SUSPENDED} ("name", "sql") VALUES (${t.name}, ${t.sql})`)
      await s.execute(sql`DROP TRIGGER ${sql.ident(t.name)}`)
    }
  })
  return async () => {
    await restoreSuspendedIndexes(s)
  }
}

/** Picks a saved index of `table` by its definition (SQLite's `ON "T"(`, PostgreSQL's `ON public."T" USING`), for restoreSuspendedIndexes' `only`. */
export const indexOnTable =
  (table: string) =>
  (index: { sql: string }): boolean =>
    new RegExp(`\\bON\\s+(?:[\\w"]+\\.)?"?${table}"?[\\s(]`).test(index.sql)

const isTrigger = (row: { sql: string }) => /^\s*CREATE\s+TRIGGER\b/i.test(row.sql)

/**
 * Rebuild indexes (and triggers, with what they keep) dropped by suspendIndexes; returns how many indexes were rebuilt.
 * With `only`, just the indexes it picks are rebuilt (a load that needs some of them for a later phase); the rest, the
 * triggers and the saved list stay for the full restore, so a crash after it is still repaired.
 */
export async function restoreSuspendedIndexes(s: DriverSql, only?: (index: { name: string; sql: string }) => boolean): Promise<number> {
  const exists = await s.query(
    s.engine === 'sqlite'
      ? sql`SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = '_custodian_bulk_indexes'`
      : sql`SELECT 1 FROM pg_tables WHERE schemaname = current_schema() AND tablename = '_custodian_bulk_indexes'`,
  )
  if (!exists.length) return 0
  const saved = await s.query<{ name: string; sql: string }>(sql`SELECT "name", "sql" FROM ${SUSPENDED}`)
  const indexes = saved.filter((r) => r.name !== REBUILD && !isTrigger(r) && (!only || only(r)))
  if (s.engine === 'postgresql') await s.execute(sql`SET maintenance_work_mem = '512MB'`)
  // one transaction per index, so SQLite can checkpoint its WAL in between
  for (const i of indexes) {
    await s.transaction(async () => {
      // the definition is the database's own (read from its catalog by suspendIndexes)
      await s.execute(sql.raw(i.sql))
      await s.execute(sql`DELETE FROM ${SUSPENDED} WHERE "name" = ${i.name}`)
    })
  }
  if (only) return indexes.length
  // What the dropped triggers keep, rebuilt from the rows (all of it, so a repair after a crash may run it again), then
  // the triggers themselves.
  const rebuild = saved.find((r) => r.name === REBUILD)
  if (rebuild)
    await s.transaction(async () => {
      for (const text of JSON.parse(rebuild.sql) as string[]) await s.execute(sql.raw(text))
      await s.execute(sql`DELETE FROM ${SUSPENDED} WHERE "name" = ${REBUILD}`)
    })
  for (const t of saved.filter(isTrigger)) {
    await s.transaction(async () => {
      await s.execute(sql.raw(t.sql))
      await s.execute(sql`DELETE FROM ${SUSPENDED} WHERE "name" = ${t.name}`)
    })
  }
  await s.execute(sql`DROP TABLE ${SUSPENDED}`)
  return indexes.length
}
