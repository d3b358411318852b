import 'server-only'
import { sqliteFile } from '@/lib/db-url'
import { env } from '@/lib/env'
import { sqliteSql } from '@/lib/sql/driver'
import { prismaSql } from '@/lib/sql/prisma'
import { sql, type Fragment, type SqlClient } from '@/lib/sql/sql'
import { csvLine } from './csv'
import { renderPage, startExportThreads, type ExportPage } from './export-threads'
import { ACCESS_ROW, INVENTORY_ROW, PAGE_WRITERS, rememberNames, unknownNames, type Names, type PageWriter } from './lines.mjs'
import { openExportConnection, sqlitePageWriter } from './page-reader.mjs'
import type { TextSource } from './stream'

type Scope = { org: { id: string } }

/**
 * A column SQLite must not pick an index for: a page's rows are found through the id list's index, and SQLite's
 * planner would otherwise scan the organization's whole (orgId, status, …) range once per page. The unary plus is
 * SQLite's documented way to say so; PostgreSQL plans from statistics and gets the plain column.
 */
export const noIndex = (table: string, column: string) =>
  sql.byEngine({ sqlite: sql.raw(`+${table}."${column}"`), postgresql: sql.raw(`${table}."${column}"`) })

// Small enough that a page's rows die young (cheap scavenges, flat memory); pages of 5,000 rows were promoted to the old
// generation and spent more time collecting garbage than querying.
export const REPORT_PAGE_SIZE = 1_000

/**
 * How an export reads and writes its pages. On SQLite, every other page by an export thread (lib/reports/export-threads.ts:
 * better-sqlite3 on a thread of its own) and the others here, on a plain better-sqlite3 connection that also walks to
 * where each page ends (no settings changed; through Prisma's adapter a million-row export runs several times slower):
 * two cores at work, the thread reading its page while this one writes its own, both with the same page writer
 * (page-reader.mjs). One thread, not two: a second added ~50 MiB (its heap and page cache) for little more speed
 * (bench/results/2026-12-03-exports-two-cores.md). On PostgreSQL, the app's pool.
 */
async function exportReader(): Promise<{
  bounds: SqlClient
  page: (p: ExportPage) => Promise<(string | Uint8Array)[]>
  ahead: number
  close: () => Promise<void>
}> {
  if (env().databaseProvider !== 'sqlite') {
    // A page's statements one after the other and two pages at once: an export holds at most two of the pool's
    // connections, whatever its size, and the server reads the next page while this one is written out.
    const s = prismaSql()
    const names: Names = new Map()
    const page = async (p: ExportPage) => PAGE_WRITERS[p.writer](await readAll(s, p, names), p.now, names)
    return { bounds: s, page, ahead: 2, close: async () => {} }
  }
  const db = openExportConnection(sqliteFile(env().databaseUrl))
  const here = sqlitePageWriter(db)
  const local = async (p: ExportPage) => here(renderPage(p))
  const thread = startExportThreads(env().databaseUrl, 1)
  let turn = 0
  return {
    bounds: sqliteSql(db),
    page: thread ? (p) => (turn++ % 2 === 0 ? local(p) : thread.page(p)) : local,
    ahead: thread ? 2 : 1,
    close: async () => {
      await thread?.close()
      db.close()
    },
  }
}

/**
 * A page's statements on PostgreSQL, one after the other, and their rows as arrays (the page writers' form); then the
 * names its rows refer to that `names` does not hold yet, looked up once each (lines.mjs: unknownNames) — as the
 * SQLite page writer does (page-reader.mjs).
 */
async function readAll(s: SqlClient, p: ExportPage, names: Names): Promise<unknown[][][]> {
  const arrays = async (q: Fragment) => (await s.query<Record<string, unknown>>(q)).map((row) => Object.values(row))
  const results: unknown[][][] = []
  for (const q of p.statements) results.push(await arrays(q))
  const unknown = p.names ? unknownNames(results[0], names) : []
  if (unknown.length) rememberNames(names, unknown, await arrays(p.names!(unknown)))
  return results
}

/**
 * The pages of one export as text: ranges of the organization's identities in id order, (after, upTo] and the last
 * one (after, end), each read and written by `page`. Where each page ends is found ahead by a walk of the (orgId, id)
 * index alone, so two pages are read at once — on SQLite one by the export thread and one here, on PostgreSQL by
 * the pool — while the ones before are sent, in order, a few pages ahead at most (memory stays flat). A page holds
 * the rows in its range when it is read: an identity added or removed during the export is in one page or in none,
 * and no range between two pages is skipped. The connections close when the export ends or is abandoned.
 */
async function* identityPages(
  orgId: string,
  take: number,
  writer: PageWriter,
  now: number,
  statements: (after: string, upTo: string | null) => Fragment[],
  names?: ExportPage['names'],
): AsyncGenerator<string | Uint8Array> {
  const { bounds, page, ahead, close } = await exportReader()
  const reading: Promise<(string | Uint8Array)[]>[] = []
  let next: string | null = ''
  const readNext = async () => {
    const after = next as string
    const [end] = await bounds.query<{ id: string }>(
      sql`SELECT "id" FROM "Identity" WHERE "orgId" = ${orgId} AND "id" > ${after} ORDER BY "id" LIMIT 1 OFFSET ${take - 1}`,
    )
    const upTo = end?.id ?? null
    const pieces = page({ statements: statements(after, upTo), writer, now, names })
    pieces.catch(() => {}) // awaited in order below; an abandoned export must not leave an unhandled rejection
    reading.push(pieces)
    next = upTo
  }
  try {
    while (next !== null && reading.length < ahead) await readNext()
    while (reading.length) {
      const pieces = await reading.shift()!
      if (next !== null) await readNext()
      yield* pieces
    }
  } finally {
    await Promise.allSettled(reading)
    await close()
  }
}

/** A page's identities: ids in (after, upTo], or all after `after` for the last page. */
const inRange = (column: Fragment, after: string, upTo: string | null) =>
  upTo === null ? sql`${column} > ${after}` : sql`${column} > ${after} AND ${column} <= ${upTo}`

export const INVENTORY_COLUMNS = [
  'identity_id',
  'name',
  'kind',
  'source',
  'external_id',
  'environment',
  'status',
  'privileged',
  'owner',
  'owner_email',
  'backup_owner',
  'backup_owner_email',
  'team',
  'last_used_at',
  'active_credentials',
  'oldest_credential_age_days',
  'next_credential_expiry',
  'expired_credentials',
  'open_findings',
  'owasp_codes',
  'finding_rules',
] as const

/**
 * Open findings per identity as `code␟rule` joined by ␞ (ASCII unit and record separators), in no particular order:
 * the page writer counts, sorts and dedupes them (lines.mjs: findingCells) — ordered aggregates made the database sort
 * per identity, half of an export's reading time at 1,000,000. For the identities of one page (inRange).
 */
const openFindingsOf = (after: string, upTo: string | null) => sql`
  SELECT f."identityId" AS "id", ${sql.byEngine({
    sqlite: sql`group_concat(f."owaspCode" || char(31) || f."rule", char(30))`,
    postgresql: sql`string_agg(f."owaspCode" || chr(31) || f."rule", chr(30))`,
  })} AS "v"
  FROM "Finding" f WHERE ${inRange(sql`f."identityId"`, after, upTo)} AND f."status" = 'open' GROUP BY f."identityId"`

/** A DateTime aggregate as epoch-millisecond text ('' when null): SQLite stores the milliseconds already. */
const msText = (expr: Fragment) =>
  sql.byEngine({ sqlite: sql`IFNULL(${expr}, '')`, postgresql: sql`COALESCE(CAST(ROUND(EXTRACT(EPOCH FROM ${expr}) * 1000) AS bigint)::text, '')` })

/** Active credentials per identity as `count oldest next-expiry expired`, for the identities of one page (inRange). */
const credentialFiguresOf = (at: unknown, after: string, upTo: string | null) => sql`
  SELECT c."identityId" AS "id", COUNT(*) || ' ' || ${msText(sql`MIN(COALESCE(c."lastRotatedAt", c."createdAt"))`)} || ' ' ||
    ${msText(sql`MIN(CASE WHEN c."expiresAt" > ${at} THEN c."expiresAt" END)`)} || ' ' || COUNT(CASE WHEN c."expiresAt" <= ${at} THEN 1 END) AS "v"
  FROM "Credential" c WHERE ${inRange(sql`c."identityId"`, after, upTo)} AND c."status" = 'active' GROUP BY c."identityId"`

/**
 * The inventory as it is now, one row per identity (deleted ones included: their status says so), in id order. Each
 * page is three queries (and the names it refers to the first time: namesOf): an indexed range of identities, then the active credentials' figures and the open findings
 * of the identities in that id range, each one walk of a covering index (Credential (identityId, status, expiresAt, …),
 * Finding (identityId, status, owaspCode, rule)) grouped by identity — a seventh cheaper than a correlated subquery
 * per identity at 1,000,000. The range may hold another organization's identities; only the page's own are looked up.
 */
export async function* inventoryCsv(ctx: Scope, opts: { now: Date; pageSize?: number }): TextSource {
  const now = opts.now.getTime()
  const at = sql.date(now)
  yield csvLine(INVENTORY_COLUMNS)
  yield* identityPages(
    ctx.org.id,
    opts.pageSize ?? REPORT_PAGE_SIZE,
    'inventory',
    now,
    (after, upTo) => [
      sql`
      SELECT ${sql.raw(INVENTORY_ROW.map((c) => `i."${c}"`).join(', '))}
      FROM "Identity" i
      WHERE i."orgId" = ${ctx.org.id} AND ${inRange(sql`i."id"`, after, upTo)}
      ORDER BY i."id"`,
      credentialFiguresOf(at, after, upTo),
      openFindingsOf(after, upTo),
    ],
    namesOf,
  )
}

/**
 * The names of the sources, users (with their emails) and teams with these ids. The inventory's rows carry the ids and
 * each export looks a name up the first time a page refers to it: four joins per row cost about a third of reading an
 * identity at 1,000,000 (bench/results/2026-12-03-exports-two-cores.md). A name is as it was when the export first met
 * it. Every parameter is the same JSON list (the export thread binds it so).
 */
const namesOf = (ids: readonly string[]) => sql`
  SELECT u."id", u."name", u."email" FROM "User" u WHERE u."id" ${sql.isIn(ids)}
  UNION ALL SELECT t."id", t."name", NULL FROM "Team" t WHERE t."id" ${sql.isIn(ids)}
  UNION ALL SELECT s."id", s."name", NULL FROM "Source" s WHERE s."id" ${sql.isIn(ids)}`

export const ACCESS_COLUMNS = [
  'grant_id',
  'identity_id',
  'identity',
  'identity_kind',
  'identity_status',
  'source',
  'entitlement',
  'resource',
  'resource_type',
  'privileged',
  'granted_at',
  'last_used_at',
  'usage_reported',
] as const

/**
 * What each column of an access page's rows (ACCESS_ROW, the page writer's order) is; each is named as in ACCESS_ROW
 * (PostgreSQL's rows are objects, turned into arrays in column order: no two columns may share a name).
 */
const ACCESS_SELECT: Readonly<Record<string, string>> = {
  grantId: 'g."id"',
  identityId: 'i."id"',
  name: 'i."name"',
  kind: 'i."kind"',
  status: 'i."status"',
  source: 's."name"',
  entitlement: 'e."name"',
  resource: 'r."name"',
  resourceType: 'r."type"',
  privileged: 'g."privileged"',
  createdAt: 'g."createdAt"',
  lastUsedAt: 'g."lastUsedAt"',
  usageReported: 'g."usageReported"',
}

const missingColumn = (c: string): never => {
  throw new Error(`the access report has no expression for its column "${c}" (lines.mjs ACCESS_ROW)`)
}

// Identities per page of the access report: at the seed's five grants an identity, about REPORT_PAGE_SIZE grant rows.
const ACCESS_PAGE_IDENTITIES = 200

/**
 * Every active grant: who (which identity) can reach what, the population an auditor samples from, in identity then
 * grant id order. Each page is one query: a range of the organization's identities (the (orgId, id) index) joined to
 * their active grants.
 */
export async function* accessCsv(ctx: Scope, opts: { pageSize?: number } = {}): TextSource {
  yield csvLine(ACCESS_COLUMNS)
  yield* identityPages(ctx.org.id, opts.pageSize ?? ACCESS_PAGE_IDENTITIES, 'access', 0, (after, upTo) => [
    sql`
      SELECT ${sql.raw(ACCESS_ROW.map((c) => `${ACCESS_SELECT[c] ?? missingColumn(c)} AS "${c}"`).join(', '))}
      FROM "Identity" i
      JOIN "Source" s ON s."id" = i."sourceId"
      JOIN "Grant" g ON g."identityId" = i."id" AND g."status" = 'active'
      LEFT JOIN "Entitlement" e ON e."id" = g."entitlementId"
      LEFT JOIN "Resource" r ON r."id" = e."resourceId"
      WHERE i."orgId" = ${ctx.org.id} AND ${inRange(sql`i."id"`, after, upTo)}
      ORDER BY i."id", g."id"`,
  ])
}
