import 'server-only'
import { env } from '@/lib/env'
import { openDriverSql } from '@/lib/sql/driver'
import { prismaSql } from '@/lib/sql/prisma'
import { sql, type Fragment, type SqlClient } from '@/lib/sql/sql'
import { csvLine, csvLines, type Cell } from './csv'
import { asBool, asDate, type TextSource } from './stream'

type Scope = { org: { id: string } }

/**
 * A column SQLite must not pick an index for: a page's rows are found through the id list's index, and SQLite's
 * planner would otherwise scan the organization's whole (orgId, status, …) range once per page. The unary plus is
 * SQLite's documented way to say so; PostgreSQL plans from statistics and gets the plain column.
 */
export const noIndex = (table: string, column: string) =>
  sql.byEngine({ sqlite: sql.raw(`+${table}."${column}"`), postgresql: sql.raw(`${table}."${column}"`) })

export const REPORT_PAGE_SIZE = 5_000

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
  findings: string | null
}

/** An identity's open findings as `rule|code` pairs joined by spaces (rules and codes are ids from code: no spaces). */
const openFindings = sql.byEngine({
  sqlite: sql`(SELECT group_concat(f."rule" || '|' || f."owaspCode", ' ') FROM "Finding" f WHERE f."identityId" = i."id" AND f."status" = 'open')`,
  postgresql: sql`(SELECT string_agg(f."rule" || '|' || f."owaspCode", ' ') FROM "Finding" f WHERE f."identityId" = i."id" AND f."status" = 'open')`,
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
  const { s, close } = await exportSql()
  try {
    let after = ''
    for (;;) {
      const page = await s.query<InventoryRow>(sql`
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
      if (!page.length) return
      yield csvLines(page.map((r) => inventoryCells(r, now)))
      if (page.length < take) return
      after = page[page.length - 1].id
    }
  } finally {
    await close()
  }
}

function inventoryCells(r: InventoryRow, now: number): Cell[] {
  const [active, oldest, next, expired] = r.credentials.split(' ')
  const pairs = r.findings ? r.findings.split(' ') : []
  const rules = pairs.map((p) => p.slice(0, p.indexOf('|'))).sort()
  const codes = [...new Set(pairs.map((p) => p.slice(p.indexOf('|') + 1)))].sort()
  return [
    r.id,
    r.name,
    r.kind,
    r.source,
    r.externalId,
    r.environment,
    r.status,
    asBool(r.privileged),
    r.owner,
    r.ownerEmail,
    r.backupOwner,
    r.backupOwnerEmail,
    r.team,
    asDate(r.lastUsedAt),
    Number(active),
    oldest ? Math.floor((now - Number(oldest)) / DAY) : null,
    next ? new Date(Number(next)) : null,
    Number(expired),
    pairs.length,
    codes.join(' '),
    rules.join(' '),
  ]
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

/**
 * Every active grant: who (which identity) can reach what, the population an auditor samples from. Paged by identity
 * (the (orgId, id) index), each page's grants found through their identity index, in identity then grant id order.
 */
export async function* accessCsv(ctx: Scope, opts: { pageSize?: number } = {}): TextSource {
  const take = opts.pageSize ?? REPORT_PAGE_SIZE
  yield csvLine(ACCESS_COLUMNS)
  const { s, close } = await exportSql()
  try {
    let after = ''
    for (;;) {
      const page = await s.query<{ id: string; name: string; kind: string; status: string; source: string }>(sql`
      SELECT i."id", i."name", i."kind", i."status", s."name" AS "source"
      FROM "Identity" i JOIN "Source" s ON s."id" = i."sourceId"
      WHERE i."orgId" = ${ctx.org.id} AND i."id" > ${after}
      ORDER BY i."id" LIMIT ${take}`)
      if (!page.length) return
      const identities = new Map(page.map((i) => [i.id, i]))
      const grants = await s.query<Record<string, unknown> & { id: string; identityId: string }>(sql`
      SELECT g."id", g."identityId", e."name" AS "entitlement", r."name" AS "resource", r."type" AS "resourceType",
             g."privileged", g."createdAt", g."lastUsedAt", g."usageReported"
      FROM "Grant" g
      JOIN "Entitlement" e ON e."id" = g."entitlementId"
      JOIN "Resource" r ON r."id" = e."resourceId"
      WHERE g."identityId" IN ${sql.ids(page.map((i) => i.id))} AND ${noIndex('g', 'orgId')} = ${ctx.org.id} AND ${noIndex('g', 'status')} = 'active'
      ORDER BY g."identityId", g."id"`)
      if (grants.length)
        yield csvLines(
          grants.map((g): Cell[] => {
            const i = identities.get(g.identityId)!
            return [
              g.id,
              g.identityId,
              i.name,
              i.kind,
              i.status,
              i.source,
              g.entitlement as string,
              g.resource as string,
              g.resourceType as string,
              asBool(g.privileged),
              asDate(g.createdAt),
              asDate(g.lastUsedAt),
              asBool(g.usageReported),
            ]
          }),
        )
      if (page.length < take) return
      after = page[page.length - 1].id
    }
  } finally {
    await close()
  }
}
