import 'server-only'
import { env } from '@/lib/env'
import { openDriverSql } from '@/lib/sql/driver'
import { prismaSql } from '@/lib/sql/prisma'
import { sql, type Fragment, type SqlClient } from '@/lib/sql/sql'
import { csvLine, textCell } from './csv'
import { asBool, asDate, type TextSource } from './stream'

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
 * The connection an export reads through. On SQLite, a connection of its own straight on better-sqlite3 (no settings
 * changed): through Prisma's adapter a million-row export runs several times slower. On PostgreSQL, the app's pool.
 */
async function exportSql(): Promise<{ s: SqlClient; close: () => Promise<void> }> {
  if (env().databaseProvider !== 'sqlite') return { s: prismaSql(), close: async () => {} }
  const d = await openDriverSql(env().databaseUrl)
  return { s: d, close: () => d.close() }
}
const DAY = 86_400_000

/**
 * The pages of one export, read on its own connection (closed when the export ends or is abandoned): `page` reads the
 * rows after a key and says the last key, or null when this page was the last.
 */
async function* exportPages<T>(page: (s: SqlClient, after: string) => Promise<{ rows: T[]; last: string | null }>): AsyncGenerator<T[]> {
  const { s, close } = await exportSql()
  try {
    let after = ''
    for (;;) {
      const { rows, last } = await page(s, after)
      if (rows.length) yield rows
      if (last === null) return
      after = last
    }
  } finally {
    await close()
  }
}

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

type InventoryRow = {
  id: string
  name: string
  kind: string
  environment: string
  status: string
  privileged: unknown
  lastUsedAt: unknown
  externalId: string
  source: string
  owner: string | null
  ownerEmail: string | null
  backupOwner: string | null
  backupOwnerEmail: string | null
  team: string | null
  credentials: string
  findings: string
}

/**
 * An identity's open findings as `count|codes|rules`: the distinct OWASP codes sorted and joined by commas, every rule
 * sorted and joined by spaces (rules and codes are ids from code: no spaces, commas or bars), ordered by the database
 * in byte order so the export does no sorting of its own.
 */
const openFindings = sql.byEngine({
  sqlite: sql`(SELECT COUNT(*) || '|' || IFNULL(group_concat(DISTINCT f."owaspCode" ORDER BY f."owaspCode"), '') || '|' ||
    IFNULL(group_concat(f."rule", ' ' ORDER BY f."rule"), '') FROM "Finding" f WHERE f."identityId" = i."id" AND f."status" = 'open')`,
  postgresql: sql`(SELECT COUNT(*) || '|' || COALESCE(string_agg(DISTINCT f."owaspCode" COLLATE "C", ',' ORDER BY f."owaspCode" COLLATE "C"), '') || '|' ||
    COALESCE(string_agg(f."rule", ' ' ORDER BY f."rule" COLLATE "C"), '') FROM "Finding" f WHERE f."identityId" = i."id" AND f."status" = 'open')`,
})

/** A DateTime aggregate as epoch-millisecond text ('' when null): SQLite stores the milliseconds already. */
const msText = (expr: Fragment) =>
  sql.byEngine({ sqlite: sql`IFNULL(${expr}, '')`, postgresql: sql`COALESCE(CAST(ROUND(EXTRACT(EPOCH FROM ${expr}) * 1000) AS bigint)::text, '')` })

/**
 * An identity's active credentials as `count oldest next-expiry expired` in one subquery: one probe of the covering
 * index instead of four (the export's largest cost after reading the identity itself).
 */
const credentialFigures = (at: unknown) => sql`(SELECT COUNT(*) || ' ' || ${msText(sql`MIN(COALESCE(c."lastRotatedAt", c."createdAt"))`)} || ' ' ||
  ${msText(sql`MIN(CASE WHEN c."expiresAt" > ${at} THEN c."expiresAt" END)`)} || ' ' || COUNT(CASE WHEN c."expiresAt" <= ${at} THEN 1 END)
  FROM "Credential" c WHERE c."identityId" = i."id" AND c."status" = 'active')`

/**
 * The inventory as it is now, one row per identity (deleted ones included: their status says so), in id order. Each
 * page is one query: an indexed range of identities, its credential figures and open findings read as correlated
 * subqueries from covering indexes (Credential (identityId, status, expiresAt, …), Finding (identityId, status,
 * owaspCode, rule)), which the id-ordered walk reads almost sequentially. The subqueries need no orgId of their own:
 * they follow the identity's id, and the outer query holds the organization.
 */
export async function* inventoryCsv(ctx: Scope, opts: { now: Date; pageSize?: number }): TextSource {
  const now = opts.now.getTime()
  const at = sql.date(now)
  const take = opts.pageSize ?? REPORT_PAGE_SIZE
  yield csvLine(INVENTORY_COLUMNS)
  const pages = exportPages(async (s, after) => {
    const rows = await s.query<InventoryRow>(sql`
      SELECT i."id", i."name", i."kind", i."environment", i."status", i."privileged", i."lastUsedAt", i."externalId",
             s."name" AS "source", o."name" AS "owner", o."email" AS "ownerEmail", b."name" AS "backupOwner", b."email" AS "backupOwnerEmail",
             t."name" AS "team",
             ${credentialFigures(at)} AS "credentials",
             ${openFindings} AS "findings"
      FROM "Identity" i
      JOIN "Source" s ON s."id" = i."sourceId"
      LEFT JOIN "User" o ON o."id" = i."ownerId"
      LEFT JOIN "User" b ON b."id" = i."backupOwnerId"
      LEFT JOIN "Team" t ON t."id" = i."teamId"
      WHERE i."orgId" = ${ctx.org.id} AND i."id" > ${after}
      ORDER BY i."id" LIMIT ${take}`)
    return { rows, last: rows.length < take ? null : rows[rows.length - 1].id }
  })
  for await (const rows of pages) {
    const out = new Array<string>(rows.length)
    for (let i = 0; i < rows.length; i++) out[i] = inventoryLine(rows[i], now)
    yield out.join('')
  }
}

const text = (v: string | null) => (v === null ? '' : textCell(v))
const iso = (v: unknown) => {
  const d = asDate(v)
  return d ? d.toISOString() : ''
}

/**
 * One inventory record, written straight from the row (INVENTORY_COLUMNS order, every text cell neutralised): the
 * cells of a million rows are never gathered into arrays first. Dates, numbers and booleans need no neutralising.
 */
function inventoryLine(r: InventoryRow, now: number): string {
  const [active, oldest, next, expired] = r.credentials.split(' ')
  const [count, codes, rules] = r.findings.split('|')
  const findings = count === '0' ? ',0,,' : `,${count},${textCell(codes.replaceAll(',', ' '))},${textCell(rules)}`
  return (
    textCell(r.id) +
    ',' +
    textCell(r.name) +
    ',' +
    textCell(r.kind) +
    ',' +
    textCell(r.source) +
    ',' +
    textCell(r.externalId) +
    ',' +
    textCell(r.environment) +
    ',' +
    textCell(r.status) +
    ',' +
    (asBool(r.privileged) ? 'true' : 'false') +
    ',' +
    text(r.owner) +
    ',' +
    text(r.ownerEmail) +
    ',' +
    text(r.backupOwner) +
    ',' +
    text(r.backupOwnerEmail) +
    ',' +
    text(r.team) +
    ',' +
    iso(r.lastUsedAt) +
    ',' +
    Number(active) +
    ',' +
    (oldest ? textCell(String(Math.floor((now - Number(oldest)) / DAY))) : '') +
    ',' +
    (next ? new Date(Number(next)).toISOString() : '') +
    ',' +
    Number(expired) +
    findings +
    '\n'
  )
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

type AccessRow = {
  identityId: string
  name: string
  kind: string
  status: string
  source: string
  grantId: string | null
  entitlement: string
  resource: string
  resourceType: string
  privileged: unknown
  createdAt: unknown
  lastUsedAt: unknown
  usageReported: unknown
}

// Identities per page of the access report: at the seed's five grants an identity, about REPORT_PAGE_SIZE grant rows.
const ACCESS_PAGE_IDENTITIES = 200

/**
 * Every active grant: who (which identity) can reach what, the population an auditor samples from, in identity then
 * grant id order. Each page is one query: a range of the organization's identities (the (orgId, id) index) joined to
 * their active grants; an identity without one yields a row without a grant, so the walk knows where the page ended.
 */
export async function* accessCsv(ctx: Scope, opts: { pageSize?: number } = {}): TextSource {
  const take = opts.pageSize ?? ACCESS_PAGE_IDENTITIES
  yield csvLine(ACCESS_COLUMNS)
  const pages = exportPages(async (s, after) => {
    const rows = await s.query<AccessRow>(sql`
      WITH page AS (
        SELECT i."id", i."name", i."kind", i."status", i."sourceId" FROM "Identity" i
        WHERE i."orgId" = ${ctx.org.id} AND i."id" > ${after} ORDER BY i."id" LIMIT ${take})
      SELECT p."id" AS "identityId", p."name", p."kind", p."status", s."name" AS "source", g."id" AS "grantId",
             e."name" AS "entitlement", r."name" AS "resource", r."type" AS "resourceType",
             g."privileged", g."createdAt", g."lastUsedAt", g."usageReported"
      FROM page p
      JOIN "Source" s ON s."id" = p."sourceId"
      LEFT JOIN "Grant" g ON g."identityId" = p."id" AND g."status" = 'active'
      LEFT JOIN "Entitlement" e ON e."id" = g."entitlementId"
      LEFT JOIN "Resource" r ON r."id" = e."resourceId"
      ORDER BY p."id", g."id"`)
    const identities = new Set(rows.map((r) => r.identityId))
    return { rows, last: identities.size < take ? null : rows[rows.length - 1].identityId }
  })
  for await (const rows of pages) {
    const out: string[] = []
    for (const g of rows) if (g.grantId !== null) out.push(accessLine(g))
    if (out.length) yield out.join('')
  }
}

/** One access record, written straight from the row (ACCESS_COLUMNS order, every text cell neutralised). */
function accessLine(g: AccessRow): string {
  return (
    textCell(g.grantId ?? '') +
    ',' +
    textCell(g.identityId) +
    ',' +
    textCell(g.name) +
    ',' +
    textCell(g.kind) +
    ',' +
    textCell(g.status) +
    ',' +
    textCell(g.source) +
    ',' +
    text(g.entitlement) +
    ',' +
    text(g.resource) +
    ',' +
    text(g.resourceType) +
    ',' +
    (asBool(g.privileged) ? 'true' : 'false') +
    ',' +
    iso(g.createdAt) +
    ',' +
    iso(g.lastUsedAt) +
    ',' +
    (asBool(g.usageReported) ? 'true' : 'false') +
    '\n'
  )
}
