// Planner statistics (SQLite sqlite_stat1, PostgreSQL pg_statistic) for the tables pages query at scale. Without them
// SQLite plans by guesswork: at 1,000,000 identities the identity page walked all 5 M grants of the organization.
import { sql, type SqlClient } from './sql'

/** The tables that grow with the inventory, plus the small ones they are joined to. */
export const STATISTICS_TABLES = [
  'Identity',
  'Grant',
  'Credential',
  'Finding',
  'ActivityEvent',
  'AuditEvent',
  'ReviewItem',
  'Decision',
  'IdentityTag',
  'Entitlement',
  'Resource',
  // the gateway's call log grows by itself (a million calls is a busy month), not with imports or syncs: the daily refresh
  'GatewayCall',
] as const

/**
 * Rows SQLite's ANALYZE reads per index (0: all). Measured at 1,000,000 identities (5 M grants, warm cache): all 10.2 s;
 * 100,000 rows 4.2 s but the organization estimated at 55,000 of its 1,000,000 rows, and 1,000 rows 2.4 s with 1,001:
 * with either, "My identities" was planned on the organization's risk index and took 1.5 s instead of 69 ms.
 * Exact statistics, one table at a time (the largest, Finding, 3.4 s), in the worker or a script, never a request.
 */
export const SQLITE_ANALYSIS_LIMIT = 0

/**
 * A sync or import refreshes the statistics when the rows it changed reach this share of the rows the statistics
 * describe, database-wide, plus a floor: PostgreSQL's own autoanalyze rule (autovacuum_analyze_scale_factor 0.1,
 * autovacuum_analyze_threshold 50). Measured against the whole table, not the organization: the statistics are the
 * table's, and a 20-identity sync in a small organization on a 1,000,000-identity database must not cost a 26 s ANALYZE.
 */
export const STATISTICS_CHANGE_SHARE = 0.1
export const STATISTICS_CHANGE_FLOOR = 50

/** `analyzedRows`: what the current statistics say the changed tables hold (null: never analyzed, so always stale). */
export function statisticsStale(changedRows: number, analyzedRows: number | null): boolean {
  if (changedRows <= 0) return false
  if (analyzedRows === null) return true
  return changedRows >= STATISTICS_CHANGE_FLOOR + STATISTICS_CHANGE_SHARE * analyzedRows
}

/** The rows of `tables` as their planner statistics last counted them (SQLite sqlite_stat1, PostgreSQL reltuples); null when none has any. */
export async function analyzedRows(s: SqlClient, tables: readonly string[]): Promise<number | null> {
  if (s.engine === 'sqlite') {
    const [{ n: hasStats }] = await s.query<{ n: unknown }>(sql`SELECT COUNT(*) AS n FROM sqlite_master WHERE "type" = 'table' AND "name" = 'sqlite_stat1'`)
    if (!Number(hasStats)) return null
    // Each index's row starts with the table's row count.
    const rows = await s.query<{ n: unknown }>(
      sql`SELECT MAX(CAST("stat" AS INTEGER)) AS n FROM sqlite_stat1 WHERE "tbl" IN (${sql.join(tables)}) GROUP BY "tbl"`,
    )
    return rows.length ? rows.reduce((n, r) => n + Number(r.n), 0) : null
  }
  // reltuples is -1 until a table is first analyzed (or vacuumed).
  const rows = await s.query<{ n: unknown }>(
    sql`SELECT c."reltuples" AS n FROM pg_class c JOIN pg_namespace ns ON ns."oid" = c."relnamespace"
        WHERE ns."nspname" = current_schema() AND c."relkind" = 'r' AND c."relname" IN (${sql.join(tables)}) AND c."reltuples" >= 0`,
  )
  return rows.length ? rows.reduce((n, r) => n + Number(r.n), 0) : null
}

export type StatisticsResult = { engine: SqlClient['engine']; tables: string[]; ms: number }

/**
 * Refreshes the planner statistics of `tables`: SQLite ANALYZE one table at a time (each its own short write, so other
 * writers wait seconds at most), PostgreSQL ANALYZE of the tables in one statement. Never inside a transaction.
 */
export async function refreshStatistics(s: SqlClient, tables: readonly string[] = STATISTICS_TABLES): Promise<StatisticsResult> {
  const start = performance.now()
  if (s.engine === 'sqlite') {
    // A PRAGMA takes no bound parameters; the limit is a constant of this file. It only affects ANALYZE on this connection.
    await s.execute(sql.raw(`PRAGMA analysis_limit = ${SQLITE_ANALYSIS_LIMIT}`))
    try {
      for (const t of tables) await s.execute(sql`ANALYZE ${sql.ident(t)}`)
    } finally {
      await s.execute(sql.raw('PRAGMA analysis_limit = 0'))
    }
    await announceStatistics(s)
  } else {
    await s.execute(sql`ANALYZE ${sql.join(tables.map((t) => sql.ident(t)))}`)
  }
  return { engine: s.engine, tables: [...tables], ms: Math.round(performance.now() - start) }
}

/**
 * Makes every other SQLite connection plan with the statistics just written. A connection reads sqlite_stat1 when it
 * loads the schema, and rewriting its rows (ANALYZE of a table analyzed before) does not make other connections load
 * it again: the web processes, open since the server started, kept planning with the statistics of their start (a
 * 1,000,000-identity page run that began while the worker refreshed them measured the identity page at 2.9 s, the
 * grants walk of the issue; 58 ms after a restart). Any schema change makes every connection reload the schema, and
 * with it the statistics, before its next statement, and re-prepare its statements: a view created and dropped in one
 * short transaction is such a change, and leaves nothing behind. (`ANALYZE sqlite_schema` on each reader would do it
 * too, but it takes the write lock: a web request would wait for the worker's transactions.)
 */
export async function announceStatistics(s: SqlClient) {
  if (s.engine !== 'sqlite') return // PostgreSQL plans every statement with the current pg_statistic
  await s.transaction(async (tx) => {
    await tx.execute(sql`CREATE VIEW IF NOT EXISTS "_custodian_statistics_changed" AS SELECT 1 AS "x"`)
    await tx.execute(sql`DROP VIEW "_custodian_statistics_changed"`)
  })
}
