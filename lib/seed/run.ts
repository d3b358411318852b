// Writes the demo data set through the driver connection of lib/sql. Used by scripts/seed.ts, benchmarks and tests;
// not by Next code.
import { openDriverSql, type DriverSql } from '../sql/driver'
import { indexOnTable, restoreSuspendedIndexes, suspendIndexes } from '../sql/indexes'
import { sql, type Engine, type Fragment } from '../sql/sql'
import { refreshStatistics } from '../sql/statistics'
import { ALL_DEMO_USERS, DEMO_ORG_SLUGS } from './demo-users'
import { planDemo, COLUMNS, type DemoPlan, type TableName, type TableRows } from './generate'
import { seedFindings, seedPosture } from '../metrics/seed-posture'
import { seedDemoFederation } from './federation'
import { seedDemoGateway } from './gateway'

export interface SeedProgress {
  /** identities written so far (all demo organizations) */
  written: number
  total: number
  elapsedMs: number
}

export interface SeedOptions {
  databaseUrl: string
  /** identities of the main demo organization "acme" */
  identities: number
  seed?: number
  /** replace existing demo organizations (and everything in them) instead of refusing */
  reset?: boolean
  secretSalt?: string
  now?: number | Date
  batchSize?: number
  /** check every foreign key after the load (the load skips per-row foreign key checks) */
  verify?: boolean
  onProgress?: (p: SeedProgress) => void
}

export interface SeedResult {
  identities: number
  credentials: number
  grants: number
  resources: number
  entitlements: number
  tags: number
  activities: number
  /** time spent deleting the previous demo data */
  resetMs: number
  /** time spent writing (after the reset), all phases together */
  loadMs: number
  /** parts of loadMs: generating rows, inserting them, rebuilding indexes */
  generateMs: number
  insertMs: number
  indexMs: number
  /** the findings pass over every seeded identity (before the indexes it does not read are rebuilt) */
  findingsMs: number
  /** today's posture snapshot and a year of history */
  postureMs: number
  /** refreshing the planner statistics after the load */
  statisticsMs: number
  /** the whole seed, from opening the database to the statistics (reset included) */
  totalMs: number
}

export class DemoExistsError extends Error {
  constructor(slugs: string[]) {
    super(
      `The demo organization${slugs.length > 1 ? 's' : ''} ${slugs.map((s) => `"${s}"`).join(' and ')} already exist${slugs.length > 1 ? '' : 's'}; re-run with --reset (reset: true) to replace the demo data.`,
    )
    this.name = 'DemoExistsError'
  }
}

const BULK_TABLES = ['Identity', 'Credential', 'Grant', 'IdentityTag', 'ActivityEvent']
/**
 * Suspended with them: the seed's findings pass inserts ~3 findings per identity, and runs before the rebuild. It reads
 * Finding by identity only (those indexes stay), and Credential by fingerprint (shared secrets): Credential's indexes
 * are rebuilt before it.
 */
const SUSPENDED_TABLES = [...BULK_TABLES, 'Finding']

/** The SQLite triggers that keep the identities' search text, full-text index and facet counts (prisma/sql/identity-search-triggers.sqlite.sql). */
export const SEARCH_TRIGGER = /^(IdentitySearch_|Identity_search_|IdentityTag_search_)/

/**
 * What the search and facet triggers keep, rebuilt from the rows as the identity_search migrations' backfills do: the
 * facet counts, each identity's search text (name, external id, then its tags as key=value in key order, one per line)
 * and, on SQLite, the trigram full-text index over it (on PostgreSQL, the identity's organization and status beside
 * it). Run after a load made without those triggers.
 */
export const searchRebuild = (engine: Engine): Fragment[] => [
  sql`DELETE FROM "IdentityFacet"`,
  sql`INSERT INTO "IdentityFacet" ("orgId", "kind", "environment", "status", "sourceId", "n") SELECT "orgId", "kind", "environment", "status", "sourceId", COUNT(*) FROM "Identity" GROUP BY "orgId", "kind", "environment", "status", "sourceId"`,
  sql`DELETE FROM "IdentitySearch"`,
  ...(engine === 'sqlite'
    ? [
        sql`INSERT INTO "IdentitySearch" ("identityId", "body")
          SELECT i."id", i."name" || char(10) || i."externalId" || COALESCE((SELECT char(10) || group_concat(t."key" || '=' || t."value", char(10))
            FROM (SELECT "key", "value" FROM "IdentityTag" WHERE "identityId" = i."id" ORDER BY "key") t), '')
          FROM "Identity" i`,
        sql`INSERT INTO "IdentitySearchFts" ("IdentitySearchFts") VALUES ('rebuild')`,
      ]
    : [
        sql`INSERT INTO "IdentitySearch" ("identityId", "orgId", "status", "body") SELECT "id", "orgId", "status", "identity_search_body"("id") FROM "Identity"`,
      ]),
]

export async function seedDemo(opts: SeedOptions): Promise<SeedResult> {
  const began = performance.now()
  const w = await openDriverSql(opts.databaseUrl, { load: true })
  try {
    const existing = await w.query<{ id: string; slug: string }>(sql`SELECT "id", "slug" FROM "Organization" WHERE "slug" IN (${sql.join(DEMO_ORG_SLUGS)})`)
    if (existing.length && !opts.reset) throw new DemoExistsError(existing.map((o) => o.slug))
    const demoIds = existing.map((o) => o.id)
    const emails = ALL_DEMO_USERS.map((u) => u.email)
    const users = await w.query<{ id: string; email: string }>(sql`SELECT "id", "email" FROM "User" WHERE "email" IN (${sql.join(emails)})`)
    const userIds = new Map(users.map((u) => [u.email, u.id]))
    const plan = planDemo({
      identities: opts.identities,
      seed: opts.seed,
      now: opts.now,
      secretSalt: opts.secretSalt,
      batchSize: opts.batchSize ?? 1000,
      userIds,
    })
    const result: SeedResult = {
      identities: 0,
      credentials: 0,
      grants: 0,
      resources: plan.base.resources.length,
      entitlements: plan.base.entitlements.length,
      tags: 0,
      activities: 0,
      resetMs: 0,
      loadMs: 0,
      generateMs: 0,
      insertMs: 0,
      indexMs: 0,
      findingsMs: 0,
      postureMs: 0,
      statisticsMs: 0,
      totalMs: 0,
    }

    // When the load is at least as big as what stays in the tables, their indexes are dropped for the
    // reset and the load and rebuilt once at the end: much cheaper than maintaining them row by row.
    const [{ n: staying }] = await w.query<{ n: number | string }>(
      sql`SELECT COUNT(*) AS n FROM (SELECT 1 FROM "Identity" WHERE "orgId" NOT IN (${sql.join([...demoIds, ''])}) LIMIT ${plan.totals.all}) x`,
    )
    // Indexes led by identityId grow by appending (ids increase), so keeping them costs less than a rebuild. On SQLite
    // the search and facet triggers go too (each identity and tag would rewrite its search text and full-text entry:
    // at 1,000,000 the insert phase took 136 s with them, 32 s without), and what they keep is rebuilt once after the load.
    const restoreIndexes =
      Number(staying) < plan.totals.all
        ? await suspendIndexes(w, SUSPENDED_TABLES, (i) => /\(\s*"identityId"/.test(i.sql), {
            triggers: (name) => SEARCH_TRIGGER.test(name),
            rebuild: searchRebuild(w.engine),
          })
        : null
    const orgIds = plan.base.organizations.map((o) => o.id)
    const now = opts.now === undefined ? Date.now() : +opts.now
    const acme = plan.base.organizations.find((o) => o.slug === 'acme')
    try {
      const resetStart = performance.now()
      if (demoIds.length) await clearOrgs(w, demoIds)
      result.resetMs = performance.now() - resetStart
      const start = performance.now()
      await load(w, plan, userIds, result, opts.onProgress)
      // The demo's workload federation (a GitHub trust rule for one of acme's CI/CD identities), before the findings pass
      // so its NHI4 finding and the posture figures count it.
      if (acme) await seedDemoFederation(w, { orgId: acme.id, now })
      // The findings pass before the rebuild: its ~3 M finding inserts and 1 M risk-score updates (at 1,000,000) then
      // maintain only the indexes it reads, not the organization-wide ones of Identity and Finding (whole seed at
      // 1,000,000: 513 s with the pass after the rebuild).
      let t = performance.now()
      if (restoreIndexes) await restoreSuspendedIndexes(w, indexOnTable('Credential'))
      result.indexMs += performance.now() - t
      t = performance.now()
      await seedFindings(w, orgIds, now)
      result.findingsMs = performance.now() - t
      t = performance.now()
      await restoreIndexes?.()
      result.indexMs += performance.now() - t
      if (opts.verify) await verifyForeignKeys(w)
      result.loadMs = performance.now() - start
    } catch (err) {
      await restoreIndexes?.()
      throw err
    }
    let t = performance.now()
    await seedPosture(w, orgIds, now)
    result.postureMs = performance.now() - t
    // The demo gateway route (`/demo`) with a rule for one of acme's NHIs; its token is made by the demo gateway only.
    if (acme) await seedDemoGateway(w, { orgId: acme.id, now })
    t = performance.now()
    await refreshStatistics(w)
    result.statisticsMs = performance.now() - t
    result.totalMs = performance.now() - began
    return result
  } finally {
    await w.close()
  }
}

async function load(w: DriverSql, plan: DemoPlan, userIds: Map<string, string>, result: SeedResult, onProgress: SeedOptions['onProgress']) {
  const start = performance.now()
  const put = <T extends TableName>(table: T, rows: readonly TableRows[T][]) => w.insertObjects(table, COLUMNS[table], rows)
  // Every reference is to a row generated in this run (or a demo user looked up above), so the load
  // skips per-row foreign key checks; --verify checks them all afterwards.
  const restoreChecks = await relaxForeignKeys(w)
  try {
    await w.transaction(async () => {
      const b = plan.base
      await put('Organization', b.organizations)
      await put(
        'User',
        b.users.filter((u) => !userIds.has(u.email)),
      )
      for (const u of b.users.filter((x) => userIds.has(x.email))) {
        await w.execute(sql`UPDATE "User" SET "name" = ${u.name}, "active" = ${u.active}, "demo" = ${u.demo} WHERE "id" = ${u.id}`)
      }
      await put('Membership', b.memberships)
      await put('Team', b.teams)
      await put('TeamMember', b.teamMembers)
      await put('Source', b.sources)
      await put('Resource', b.resources)
      await put('Entitlement', b.entitlements)
    })
    const batches = plan.batches()
    for (;;) {
      const t0 = performance.now()
      const next = batches.next()
      const t1 = performance.now()
      result.generateMs += t1 - t0
      if (next.done) break
      const batch = next.value
      await w.transaction(async () => {
        await put('Identity', batch.identities)
        await put('Credential', batch.credentials)
        await put('Grant', batch.grants)
        await put('IdentityTag', batch.tags)
        await put('ActivityEvent', batch.activities)
      })
      result.insertMs += performance.now() - t1
      result.identities += batch.identities.length
      result.credentials += batch.credentials.length
      result.grants += batch.grants.length
      result.tags += batch.tags.length
      result.activities += batch.activities.length
      onProgress?.({ written: batch.done, total: plan.totals.all, elapsedMs: performance.now() - start })
    }
  } finally {
    await restoreChecks()
  }
}

/** SQLite: foreign_keys off. PostgreSQL: session_replication_role=replica when allowed (superuser), else checks stay on. */
async function relaxForeignKeys(w: DriverSql): Promise<() => Promise<unknown>> {
  if (w.engine === 'sqlite') {
    await w.execute(sql`PRAGMA foreign_keys = OFF`)
    return () => w.execute(sql`PRAGMA foreign_keys = ON`)
  }
  try {
    await w.execute(sql`SET session_replication_role = replica`)
    return async () => {
      await w.execute(sql`SET session_replication_role = DEFAULT`)
      // Replica mode silences triggers too: rebuild what the identity_search and finding_counts migrations' triggers keep (the
      // facet cells, the finding counts and the search text) from the rows, as those migrations' backfills do.
      for (const q of searchRebuild('postgresql')) await w.execute(q)
      await w.execute(sql`DELETE FROM "FindingCount"`)
      await w.execute(
        sql`INSERT INTO "FindingCount" ("orgId", "status", "owaspCode", "severity", "rule", "n") SELECT "orgId", "status", "owaspCode", "severity", "rule", COUNT(*) FROM "Finding" GROUP BY "orgId", "status", "owaspCode", "severity", "rule"`,
      )
    }
  } catch {
    return async () => {}
  }
}

async function verifyForeignKeys(w: DriverSql): Promise<void> {
  if (w.engine === 'sqlite') {
    const bad = await w.query<{ table: string; parent: string }>(sql`PRAGMA foreign_key_check`)
    if (bad.length) throw new Error(`Seed wrote ${bad.length} rows with dangling references, e.g. ${bad[0].table} -> ${bad[0].parent}`)
    return
  }
  const keys = await w.query<{ child: string; col: string; parent: string; pcol: string }>(
    sql`SELECT c.conrelid::regclass::text AS child, a.attname AS col, c.confrelid::regclass::text AS parent, pa.attname AS pcol
     FROM pg_constraint c
     JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = c.conkey[1]
     JOIN pg_attribute pa ON pa.attrelid = c.confrelid AND pa.attnum = c.confkey[1]
     WHERE c.contype = 'f' AND c.conrelid::regclass::text IN (${sql.join(BULK_TABLES.map((t) => `"${t}"`))})`,
  )
  for (const k of keys) {
    // child and parent come from the catalog already quoted (regclass::text)
    const [child, parent, col, pcol] = [sql.raw(k.child), sql.raw(k.parent), sql.ident(k.col), sql.ident(k.pcol)]
    const [{ n }] = await w.query<{ n: string | number }>(
      sql`SELECT COUNT(*) AS n FROM ${child} c WHERE c.${col} IS NOT NULL AND NOT EXISTS (SELECT 1 FROM ${parent} p WHERE p.${pcol} = c.${col})`,
    )
    if (Number(n)) throw new Error(`Seed wrote ${n} rows of ${k.child} whose "${k.col}" points at no ${k.parent}`)
  }
}

// Children before parents, so the deletes also work where foreign key checks cannot be switched off.
const DELETE_ORDER = [
  'Decision',
  'ReviewItem',
  'ReviewItemStage',
  'Campaign',
  'Finding',
  'Attestation',
  'OwnershipTransfer',
  'Notification',
  'ActivityEvent',
  'IdentityTag',
  'Credential',
  'Grant',
  'ApiToken',
  'Identity',
  'Entitlement',
  'Resource',
  'Source',
  'Team',
  'Membership',
  'Job',
  'AuditEvent',
  'MetricSnapshot',
]

/** Delete organizations and everything in them; whole tables are truncated when no other organization exists. */
async function clearOrgs(w: DriverSql, orgIds: string[]): Promise<void> {
  const catalog =
    w.engine === 'sqlite'
      ? sql`SELECT m.name AS name, p."notnull" = 0 AS nullable FROM sqlite_master m JOIN pragma_table_info(m.name) p
         WHERE m.type = 'table' AND p.name = 'orgId'`
      : sql`SELECT table_name AS name, is_nullable = 'YES' AS nullable FROM information_schema.columns
         WHERE table_schema = current_schema() AND column_name = 'orgId'`
  const tables = (await w.query<{ name: string; nullable: unknown }>(catalog))
    .filter((t) => t.name !== 'Organization')
    .sort((a, b) => DELETE_ORDER.indexOf(a.name) - DELETE_ORDER.indexOf(b.name))
  const ids = sql.join(orgIds)
  const [{ others }] = await w.query<{ others: number | string }>(sql`SELECT COUNT(*) AS others FROM "Organization" WHERE "id" NOT IN (${ids})`)
  const onlyDemo = Number(others) === 0
  let whole = tables.filter((t) => onlyDemo && !t.nullable).map((t) => t.name)
  const restoreChecks = await relaxForeignKeys(w)
  try {
    await w.transaction(async () => {
      if (whole.length && w.engine === 'postgresql') {
        // TRUNCATE refuses when a table outside the list references one in it: then delete row by row.
        await w.execute(sql`SAVEPOINT truncate_demo`)
        try {
          await w.execute(sql`TRUNCATE ${sql.join(['TeamMember', ...whole].map(sql.ident))}`)
          await w.execute(sql`RELEASE SAVEPOINT truncate_demo`)
        } catch {
          await w.execute(sql`ROLLBACK TO SAVEPOINT truncate_demo`)
          whole = []
        }
      }
      await w.execute(sql`DELETE FROM "TeamMember" WHERE "teamId" IN (SELECT "id" FROM "Team" WHERE "orgId" IN (${ids}))`)
      for (const t of tables) {
        if (whole.includes(t.name) && w.engine === 'postgresql') continue
        const where = whole.includes(t.name) ? sql.empty : sql` WHERE "orgId" IN (${ids})`
        await w.execute(sql`DELETE FROM ${sql.ident(t.name)}${where}`)
      }
      await w.execute(sql`DELETE FROM "Organization" WHERE "id" IN (${ids})`)
    })
  } finally {
    await restoreChecks()
  }
}
