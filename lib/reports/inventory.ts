import 'server-only'
import { env } from '@/lib/env'
import { openDriverSql } from '@/lib/sql/driver'
import { prismaSql } from '@/lib/sql/prisma'
import { sql, type Fragment, type SqlClient } from '@/lib/sql/sql'
import { csvLine } from './csv'
import { startExportThreads } from './export-threads'
import { PAGE_WRITERS, type PageWriter } from './lines.mjs'
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
 * two cores at work, the thread reading its page while this one writes its own. One thread, not two: a second added
 * ~50 MiB (its heap and page cache) for little more speed (bench/results/2026-12-03-exports-two-cores.md). On
 * PostgreSQL, the app's pool.
 */
async function exportReader(): Promise<{
  bounds: SqlClient
  page: (statements: Fragment[], writer: PageWriter, now: number) => Promise<(string | Uint8Array)[]>
  ahead: number
  close: () => Promise<void>
}> {
  if (env().databaseProvider !== 'sqlite') {
    // A page's statements one after the other and two pages at once: an export holds at most two of the pool's
    // connections, whatever its size, and the server reads the next page while this one is written out.
    const s = prismaSql()
    const page = async (statements: Fragment[], writer: PageWriter, now: number) => PAGE_WRITERS[writer](await readAll(s, statements), now)
    return { bounds: s, page, ahead: 2, close: async () => {} }
  }
  const here = await openDriverSql(env().databaseUrl)
  // A page's statements in one read transaction, as on the thread: its figures match its rows.
  const local = async (statements: Fragment[], writer: PageWriter, now: number) =>
    PAGE_WRITERS[writer](await here.transaction((tx) => readAll(tx, statements)), now)
  const thread = startExportThreads(env().databaseUrl, 1)
  let turn = 0
  return {
    bounds: here,
    page: thread ? (statements, writer, now) => (turn++ % 2 === 0 ? local(statements, writer, now) : thread.page(statements, writer, now)) : local,
    ahead: thread ? 2 : 1,
    close: async () => {
      await thread?.close()
      await here.close()
    },
  }
}

/** A page's statements, one after the other, and their rows. */
async function readAll(s: SqlClient, statements: Fragment[]): Promise<Record<string, unknown>[][]> {
  const results: Record<string, unknown>[][] = []
  for (const q of statements) results.push(await s.query<Record<string, unknown>>(q))
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
    const pieces = page(statements(after, upTo), writer, now)
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
 * Open findings per identity as `count|codes|rules`: the distinct OWASP codes sorted and joined by commas, every rule
 * sorted and joined by spaces (rules and codes are ids from code: no spaces, commas or bars), ordered by the database
 * in byte order so the export does no sorting of its own. For the identities of one page (inRange).
 */
const openFindingsOf = (after: string, upTo: string | null) => sql`
  SELECT f."identityId" AS "id", ${sql.byEngine({
    sqlite: sql`COUNT(*) || '|' || IFNULL(group_concat(DISTINCT f."owaspCode" ORDER BY f."owaspCode"), '') || '|' ||
      IFNULL(group_concat(f."rule", ' ' ORDER BY f."rule"), '')`,
    postgresql: sql`COUNT(*) || '|' || COALESCE(string_agg(DISTINCT f."owaspCode" COLLATE "C", ',' ORDER BY f."owaspCode" COLLATE "C"), '') || '|' ||
      COALESCE(string_agg(f."rule", ' ' ORDER BY f."rule" COLLATE "C"), '')`,
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
 * page is three queries: an indexed range of identities, then the active credentials' figures and the open findings
 * of the identities in that id range, each one walk of a covering index (Credential (identityId, status, expiresAt, …),
 * Finding (identityId, status, owaspCode, rule)) grouped by identity — a seventh cheaper than a correlated subquery
 * per identity at 1,000,000. The range may hold another organization's identities; only the page's own are looked up.
 */
export async function* inventoryCsv(ctx: Scope, opts: { now: Date; pageSize?: number }): TextSource {
  const now = opts.now.getTime()
  const at = sql.date(now)
  yield csvLine(INVENTORY_COLUMNS)
  yield* identityPages(ctx.org.id, opts.pageSize ?? REPORT_PAGE_SIZE, 'inventory', now, (after, upTo) => [
    sql`
      SELECT i."id", i."name", i."kind", i."environment", i."status", i."privileged", i."lastUsedAt", i."externalId",
             s."name" AS "source", o."name" AS "owner", o."email" AS "ownerEmail", b."name" AS "backupOwner", b."email" AS "backupOwnerEmail",
             t."name" AS "team"
      FROM "Identity" i
      JOIN "Source" s ON s."id" = i."sourceId"
      LEFT JOIN "User" o ON o."id" = i."ownerId"
      LEFT JOIN "User" b ON b."id" = i."backupOwnerId"
      LEFT JOIN "Team" t ON t."id" = i."teamId"
      WHERE i."orgId" = ${ctx.org.id} AND ${inRange(sql`i."id"`, after, upTo)}
      ORDER BY i."id"`,
    credentialFiguresOf(at, after, upTo),
    openFindingsOf(after, upTo),
  ])
}

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
      SELECT i."id" AS "identityId", i."name", i."kind", i."status", s."name" AS "source", g."id" AS "grantId",
             e."name" AS "entitlement", r."name" AS "resource", r."type" AS "resourceType",
             g."privileged", g."createdAt", g."lastUsedAt", g."usageReported"
      FROM "Identity" i
      JOIN "Source" s ON s."id" = i."sourceId"
      JOIN "Grant" g ON g."identityId" = i."id" AND g."status" = 'active'
      LEFT JOIN "Entitlement" e ON e."id" = g."entitlementId"
      LEFT JOIN "Resource" r ON r."id" = e."resourceId"
      WHERE i."orgId" = ${ctx.org.id} AND ${inRange(sql`i."id"`, after, upTo)}
      ORDER BY i."id", g."id"`,
  ])
}
