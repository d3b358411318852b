import 'server-only'
import { env } from '@/lib/env'
import { openDriverSql } from '@/lib/sql/driver'
import { prismaSql } from '@/lib/sql/prisma'
import { sql, type SqlClient } from '@/lib/sql/sql'
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

type IdentityRow = {
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
}

type CredStats = { active: number; oldest: number | null; nextExpiry: number | null; expired: number }

/**
 * The inventory as it is now, one row per identity (deleted ones included: their status says so), in id order. Each
 * page is one indexed range of identities plus one query each for their credentials and open findings.
 */
export async function* inventoryCsv(ctx: Scope, opts: { now: Date; pageSize?: number }): TextSource {
  const now = opts.now.getTime()
  const take = opts.pageSize ?? REPORT_PAGE_SIZE
  yield csvLine(INVENTORY_COLUMNS)
  const { s, close } = await exportSql()
  try {
    let after = ''
    for (;;) {
      const page = await s.query<IdentityRow>(sql`
      SELECT i."id", i."name", i."kind", i."environment", i."status", i."privileged", i."lastUsedAt", i."externalId",
             s."name" AS "source", o."name" AS "owner", o."email" AS "ownerEmail", b."name" AS "backupOwner", b."email" AS "backupOwnerEmail",
             t."name" AS "team"
      FROM "Identity" i
      JOIN "Source" s ON s."id" = i."sourceId"
      LEFT JOIN "User" o ON o."id" = i."ownerId"
      LEFT JOIN "User" b ON b."id" = i."backupOwnerId"
      LEFT JOIN "Team" t ON t."id" = i."teamId"
      WHERE i."orgId" = ${ctx.org.id} AND i."id" > ${after}
      ORDER BY i."id" LIMIT ${take}`)
      if (!page.length) return
      const ids = page.map((r) => r.id)
      const [creds, findings] = await Promise.all([
        s.query<{ identityId: string; createdAt: unknown; lastRotatedAt: unknown; expiresAt: unknown }>(sql`
        SELECT c."identityId", c."createdAt", c."lastRotatedAt", c."expiresAt" FROM "Credential" c
        WHERE c."identityId" IN ${sql.ids(ids)} AND ${noIndex('c', 'orgId')} = ${ctx.org.id} AND ${noIndex('c', 'status')} = 'active'`),
        s.query<{ identityId: string; owaspCode: string; rule: string }>(sql`
        SELECT f."identityId", f."owaspCode", f."rule" FROM "Finding" f
        WHERE f."identityId" IN ${sql.ids(ids)} AND ${noIndex('f', 'orgId')} = ${ctx.org.id} AND ${noIndex('f', 'status')} = 'open'`),
      ])
      const credStats = new Map<string, CredStats>()
      for (const c of creds) {
        const st = credStats.get(c.identityId) ?? { active: 0, oldest: null, nextExpiry: null, expired: 0 }
        st.active++
        const since = (asDate(c.lastRotatedAt) ?? asDate(c.createdAt))?.getTime() ?? null
        if (since !== null && (st.oldest === null || since < st.oldest)) st.oldest = since
        const exp = asDate(c.expiresAt)?.getTime() ?? null
        if (exp !== null) {
          if (exp <= now) st.expired++
          else if (st.nextExpiry === null || exp < st.nextExpiry) st.nextExpiry = exp
        }
        credStats.set(c.identityId, st)
      }
      const open = new Map<string, { codes: Set<string>; rules: string[] }>()
      for (const f of findings) {
        const o = open.get(f.identityId) ?? { codes: new Set(), rules: [] }
        o.codes.add(f.owaspCode)
        o.rules.push(f.rule)
        open.set(f.identityId, o)
      }
      yield csvLines(
        page.map((r): Cell[] => {
          const c = credStats.get(r.id)
          const f = open.get(r.id)
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
            c?.active ?? 0,
            c?.oldest != null ? Math.floor((now - c.oldest) / DAY) : null,
            c?.nextExpiry != null ? new Date(c.nextExpiry) : null,
            c?.expired ?? 0,
            f?.rules.length ?? 0,
            f ? [...f.codes].sort().join(' ') : '',
            f ? f.rules.sort().join(' ') : '',
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
