// Index suspension for large loads through the driver connection (lib/sql/driver.ts).
import type { DriverSql } from './driver'
import { sql } from './sql'

const SUSPENDED = sql.ident('_custodian_bulk_indexes')

/**
 * Drop the secondary indexes of `tables` for a large load (building an index once is several times cheaper
 * than maintaining it row by row) and return a function that rebuilds them. Primary keys stay. The index
 * definitions are saved in the database first, so a load that dies half-way is repaired by the next
 * openDriverSql(url, { load: true }).
 */
export async function suspendIndexes(
  s: DriverSql,
  tables: readonly string[],
  keep: (index: { name: string; sql: string }) => boolean = () => false,
): Promise<() => Promise<void>> {
  const list = sql.join(tables)
  const indexes = await s.query<{ name: string; sql: string }>(
    s.engine === 'sqlite'
      ? sql`SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL AND tbl_name IN (${list})`
      : sql`SELECT i.indexname AS name, i.indexdef AS sql FROM pg_indexes i WHERE i.schemaname = current_schema()
         AND i.tablename IN (${list}) AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conname = i.indexname)`,
  )
  await s.transaction(async () => {
    await s.execute(sql`CREATE TABLE IF NOT EXISTS ${SUSPENDED} ("name" TEXT PRIMARY KEY, "sql" TEXT NOT NULL)`)
    for (const i of indexes.filter((x) => !keep(x))) {
      await s.execute(sql`INSERT INTO ${SUSPENDED} ("name", "sql") VALUES (${i.name}, ${i.sql})`)
      await s.execute(sql`DROP INDEX ${sql.ident(i.name)}`)
    }
  })
  return async () => {
    await restoreSuspendedIndexes(s)
  }
}

/** Rebuild indexes dropped by suspendIndexes; returns how many were rebuilt. */
export async function restoreSuspendedIndexes(s: DriverSql): Promise<number> {
  const exists = await s.query(
    s.engine === 'sqlite'
      ? sql`SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = '_custodian_bulk_indexes'`
      : sql`SELECT 1 FROM pg_tables WHERE schemaname = current_schema() AND tablename = '_custodian_bulk_indexes'`,
  )
  if (!exists.length) return 0
  const indexes = await s.query<{ name: string; sql: string }>(sql`SELECT "name", "sql" FROM ${SUSPENDED}`)
  if (s.engine === 'postgresql') await s.execute(sql`SET maintenance_work_mem = '512MB'`)
  // one transaction per index, so SQLite can checkpoint its WAL in between
  for (const i of indexes) {
    await s.transaction(async () => {
      // the definition is the database's own (read from its catalog by suspendIndexes)
      await s.execute(sql.raw(i.sql))
      await s.execute(sql`DELETE FROM ${SUSPENDED} WHERE "name" = ${i.name}`)
    })
  }
  await s.execute(sql`DROP TABLE ${SUSPENDED}`)
  return indexes.length
}
