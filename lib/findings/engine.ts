// The findings engine: evaluates every rule for a range or a list of identities with set-based SQL (one upsert per
// rule, one resolve, one rollup). Runs on Prisma (jobs, and inside the transaction of each change that settles or
// raises a finding) and on lib/sql/driver.ts (seeder, benchmark).
import { OWNER_LEFT_RULE, RULE_IDS, RULES, SEVERITY_RANK, SEVERITY_WEIGHT } from '@/lib/findings/rules'
import { num, sql, type Fragment, type SqlClient } from '@/lib/sql/sql'
import type { OrgSettings } from '@/lib/settings/schemas'

export const FINDINGS_BATCH = 5_000

/** `col || ''` compares the same but cannot use an index: the id range (primary key) must drive these scans, not the orgId indexes. */
const byOrg = (col: string): Fragment => sql.raw(`(${col} || '')`)

export type RecomputeResult = { identities: number; batches: number; opened: number; open: number; reopened: number; ms: number }

/** Accepted risks past their expiry become open again (they count in scores and dashboards from now on). */
export async function reopenExpiredAcceptances(s: SqlClient, orgId: string, now: number): Promise<number> {
  const [{ n }] = await s.query<{ n: unknown }>(
    sql`SELECT COUNT(*) AS n FROM "Finding" WHERE "orgId" = ${orgId} AND "status" = 'accepted' AND "acceptedUntil" < ${sql.date(now)}`,
  )
  if (num(n) === 0) return 0
  await s.execute(sql`UPDATE "Finding" SET "status" = 'open' WHERE "orgId" = ${orgId} AND "status" = 'accepted' AND "acceptedUntil" < ${sql.date(now)}`)
  // Scores of the identities concerned are refreshed by the batch pass that follows.
  return num(n)
}

/** Which identities a pass covers: the same predicate over `Identity i`, over `"Finding"` rows and over `"Identity"` rows. */
type Scope = { identity: Fragment; finding: Fragment; identityRow: Fragment }

/**
 * Evaluates every rule for the identities in scope, in the caller's transaction: upserts what holds, resolves the
 * engine's findings that no longer hold (findings other code raises, such as "owner-left", keep their own life),
 * then refreshes Identity.openFindings and riskScore.
 */
async function evaluate(s: SqlClient, scope: Scope, settings: OrgSettings, now: number, ruleIds: readonly string[] = RULE_IDS) {
  const c = { settings, now }
  const at = sql.date(now)
  const rules = RULES.filter((r) => ruleIds.includes(r.id))
  // On SQLite a finding that still holds only gets its lastSeenAt (and title) stamped by the upsert: SQLite rewrites the
  // index entries of every column an UPDATE sets, changed or not, and severity, rank, code and status sit in four Finding
  // indexes (and wake the FindingCount trigger) — 3 M findings a night. The few whose severity, code or status change are
  // set by the UPDATE after. PostgreSQL compares values (an unchanged row is a HOT update), so it keeps the single upsert:
  // the second statement made its recompute 40 % slower.
  const split = s.engine === 'sqlite'
  const onConflict = split
    ? sql`"lastSeenAt" = excluded."lastSeenAt", "title" = excluded."title", "resolvedAt" = NULL`
    : sql`"lastSeenAt" = excluded."lastSeenAt", "severity" = excluded."severity", "severityRank" = excluded."severityRank",
          "title" = excluded."title", "owaspCode" = excluded."owaspCode",
          "status" = CASE WHEN "Finding"."status" = 'resolved' THEN 'open'
            WHEN "Finding"."status" = 'accepted' AND "Finding"."acceptedUntil" < excluded."lastSeenAt" THEN 'open' ELSE "Finding"."status" END,
          "resolvedAt" = NULL`
  for (const rule of rules) {
    // The finding id is derived from identity and rule: one row per pair for life (resolved rows reopen).
    await s.execute(
      sql`INSERT INTO "Finding" ("id","orgId","identityId","rule","owaspCode","severity","severityRank","title","status","firstSeenAt","lastSeenAt")
        SELECT i."id" || ${sql.lit(`-${rule.id}`)}, i."orgId", i."id", ${sql.lit(rule.id)}, ${sql.lit(rule.owaspCode)}, ${rule.severity(c)}, ${rankOf(rule.severity(c))}, ${sql.lit(rule.title(settings))}, 'open', ${at}, ${at}
        FROM "Identity" i WHERE ${scope.identity} AND i."status" <> 'deleted' AND (${rule.when(c)})
        ON CONFLICT ("identityId","rule") DO UPDATE SET ${onConflict}`,
    )
  }
  if (split && rules.length) {
    // Of the findings seen in this pass, those whose severity or code changed, that were resolved, or whose accepted risk
    // expired: the rest of what the upsert used to set (a resolved or expired-acceptance finding opens again).
    const severity = sql`(SELECT CASE "Finding"."rule" ${sql.join(
      rules.map((r) => sql`WHEN ${sql.lit(r.id)} THEN ${r.severity(c)}`),
      ' ',
    )} END FROM "Identity" i WHERE i."id" = "Finding"."identityId")`
    const code = sql`CASE "Finding"."rule" ${sql.join(
      rules.map((r) => sql`WHEN ${sql.lit(r.id)} THEN ${sql.lit(r.owaspCode)}`),
      ' ',
    )} END`
    await s.execute(
      sql`UPDATE "Finding" SET "severity" = ${severity}, "severityRank" = ${rankOf(severity)}, "owaspCode" = ${code},
          "status" = CASE WHEN "status" = 'resolved' THEN 'open' WHEN "status" = 'accepted' AND "acceptedUntil" < ${at} THEN 'open' ELSE "status" END
        WHERE ${scope.finding} AND "lastSeenAt" = ${at} AND "rule" IN (${sql.join(
          rules.map((r) => sql.lit(r.id)),
          ',',
        )})
          AND ("status" = 'resolved' OR ("status" = 'accepted' AND "acceptedUntil" < ${at}) OR "owaspCode" <> ${code} OR "severity" <> ${severity}
            OR "severityRank" <> ${rankOf(severity)})`,
    )
  }
  // Whatever was not seen in this pass no longer holds.
  await s.execute(
    sql`UPDATE "Finding" SET "status" = 'resolved', "resolvedAt" = ${at}
      WHERE ${scope.finding} AND "status" <> 'resolved' AND "lastSeenAt" <> ${at} AND "rule" IN (${sql.join(
        ruleIds.map((r) => sql.lit(r)),
        ',',
      )})`,
  )
  // Offboarding's "owner left" ends when somebody owns the identity again, however that happened, or when it is deleted.
  await s.execute(
    sql`UPDATE "Finding" SET "status" = 'resolved', "resolvedAt" = ${at}
      WHERE ${scope.finding} AND "rule" = ${sql.lit(OWNER_LEFT_RULE)} AND "status" <> 'resolved'
        AND EXISTS (SELECT 1 FROM "Identity" i WHERE i."id" = "Finding"."identityId" AND (i."ownerId" IS NOT NULL OR i."status" = 'deleted'))`,
  )
  await rollup(s, scope.identityRow)
}

/** Evaluates all rules for identities lo..hi (inclusive, by id) of one organization, in the caller's transaction. */
export async function recomputeRange(s: SqlClient, orgId: string, lo: string, hi: string, settings: OrgSettings, now: number) {
  await evaluate(
    s,
    {
      identity: sql`i."id" >= ${lo} AND i."id" <= ${hi} AND ${byOrg('i."orgId"')} = ${orgId}`,
      finding: sql`"identityId" >= ${lo} AND "identityId" <= ${hi} AND ${byOrg('"orgId"')} = ${orgId}`,
      identityRow: sql`"id" >= ${lo} AND "id" <= ${hi} AND ${byOrg('"orgId"')} = ${orgId}`,
    },
    settings,
    now,
  )
}

const SETTLE_CHUNK = 2_000
/** At most this many other identities are re-evaluated because they share a secret with a changed one; the nightly pass covers the rest. */
const SHARED_SECRET_LIMIT = 1_000

/**
 * Evaluates all rules for the given identities of one organization, in the caller's transaction: the same rules as
 * the nightly pass, restricted to these ids, so the change that settles a finding settles it at once.
 * `sharedSecrets` adds the identities holding a secret with the same fingerprint (their NHI8/NHI9 findings change too).
 * `rules` restricts the pass to the rules whose inputs the change touched (the others' findings stay as they are).
 */
export async function recomputeIdentities(
  s: SqlClient,
  orgId: string,
  identityIds: readonly string[],
  settings: OrgSettings,
  opts: { now?: number; sharedSecrets?: boolean; rules?: readonly string[] } = {},
) {
  const now = opts.now ?? Date.now()
  const ids = new Set(identityIds)
  if (opts.sharedSecrets && ids.size) {
    for (let i = 0; i < identityIds.length; i += SETTLE_CHUNK) {
      const rows = await s.query<{ id: string }>(
        sql`SELECT DISTINCT c2."identityId" AS "id" FROM "Credential" c
          JOIN "Credential" c2 ON c2."orgId" = c."orgId" AND c2."fingerprint" = c."fingerprint" AND c2."identityId" <> c."identityId"
          WHERE c."identityId" ${sql.isIn(identityIds.slice(i, i + SETTLE_CHUNK))} AND ${byOrg('c."orgId"')} = ${orgId} LIMIT ${SHARED_SECRET_LIMIT}`,
      )
      for (const r of rows) ids.add(r.id)
    }
  }
  const all = [...ids]
  for (let i = 0; i < all.length; i += SETTLE_CHUNK) {
    const chunk = all.slice(i, i + SETTLE_CHUNK)
    // By the id lists (primary key and the (identityId, rule) key) rather than the orgId indexes, which would walk the organization.
    await evaluate(
      s,
      {
        identity: sql`i."id" ${sql.isIn(chunk)} AND ${byOrg('i."orgId"')} = ${orgId}`,
        finding: sql`"identityId" ${sql.isIn(chunk)} AND ${byOrg('"orgId"')} = ${orgId}`,
        identityRow: sql`"id" ${sql.isIn(chunk)} AND ${byOrg('"orgId"')} = ${orgId}`,
      },
      settings,
      now,
      opts.rules,
    )
  }
  return { identities: all.length }
}

/** The rank column for a severity expression (Finding.severityRank). */
const rankOf = (severity: Fragment): Fragment =>
  sql`CASE ${severity} ${sql.raw(
    Object.entries(SEVERITY_RANK)
      .map(([k, r]) => `WHEN '${k}' THEN ${r}`)
      .join(' '),
  )} ELSE 3 END`

const weight = `CASE f."severity" ${Object.entries(SEVERITY_WEIGHT)
  .map(([k, w]) => `WHEN '${k}' THEN ${w}`)
  .join(' ')} ELSE 0 END`

async function rollup(s: SqlClient, where: Fragment) {
  const open = `FROM "Finding" f WHERE f."identityId" = "Identity"."id" AND f."status" = 'open'`
  const count = sql.raw(`(SELECT COUNT(*) ${open})`)
  const score = sql.raw(`(SELECT CASE WHEN COALESCE(SUM(${weight}), 0) > 100 THEN 100 ELSE COALESCE(SUM(${weight}), 0) END ${open})`)
  // Only the identities whose count or score moved: riskScore sits in three Identity indexes, which SQLite would
  // otherwise rewrite for every identity of the batch.
  await s.execute(
    sql`UPDATE "Identity" SET "openFindings" = ${count}, "riskScore" = ${score}
      WHERE ${where} AND ("openFindings" <> ${count} OR "riskScore" <> ${score})`,
  )
}

/** Identity.openFindings and Identity.riskScore (sum of open findings' weights, capped at 100). */
export async function rollupRange(s: SqlClient, orgId: string, lo: string, hi: string) {
  await rollup(s, sql`"id" >= ${lo} AND "id" <= ${hi} AND ${byOrg('"orgId"')} = ${orgId}`)
}

/** Recomputes one organization in batches of identities; each batch is its own transaction. */
export async function recomputeOrg(
  s: SqlClient,
  orgId: string,
  settings: OrgSettings,
  opts: { now?: number; batchSize?: number; onProgress?: (done: number, total: number) => Promise<void> | void } = {},
): Promise<RecomputeResult> {
  const t0 = performance.now()
  const now = opts.now ?? Date.now()
  const size = opts.batchSize ?? FINDINGS_BATCH
  const [{ n: totalRaw }] = await s.query<{ n: unknown }>(sql`SELECT COUNT(*) AS n FROM "Identity" WHERE "orgId" = ${orgId}`)
  const total = num(totalRaw)
  const [{ n: before }] = await s.query<{ n: unknown }>(sql`SELECT COUNT(*) AS n FROM "Finding" WHERE "orgId" = ${orgId} AND "status" = 'open'`)
  const reopened = await reopenExpiredAcceptances(s, orgId, now)
  let after = ''
  let done = 0
  let batches = 0
  for (;;) {
    // The next batch's ids from the (orgId, id) index, in its order (both engines walk it and stop at the batch size).
    // Not byOrg here: on PostgreSQL that expression's unknown selectivity made the planner read every remaining id of
    // the organization and sort them for each batch (~220 ms a batch at 1,000,000 identities, against ~1 ms).
    const ids = await s.query<{ id: string }>(sql`SELECT "id" FROM "Identity" WHERE "orgId" = ${orgId} AND "id" > ${after} ORDER BY "id" LIMIT ${size}`)
    if (ids.length === 0) break
    const lo = ids[0].id
    const hi = ids[ids.length - 1].id
    await s.transaction((tx) => recomputeRange(tx, orgId, lo, hi, settings, now))
    after = hi
    done += ids.length
    batches++
    await opts.onProgress?.(done, total)
    if (ids.length < size) break
  }
  const [{ n: open }] = await s.query<{ n: unknown }>(sql`SELECT COUNT(*) AS n FROM "Finding" WHERE "orgId" = ${orgId} AND "status" = 'open'`)
  return { identities: done, batches, opened: num(open) - num(before), open: num(open), reopened, ms: Math.round(performance.now() - t0) }
}
